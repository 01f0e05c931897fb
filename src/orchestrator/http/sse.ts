import { Hono, type Context } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import { testIdParam } from "./path-params.ts";
import type { EventHub, Listener, OrchestratorEvent } from "../event-hub.ts";
import type { Orchestrator } from "../orchestrator.ts";
import { ApiError } from "./errors.ts";
import { SseBuffer, type SseBufferOptions } from "./sse-buffer.ts";

/**
 * Interval of the `: ping` comment on an idle stream. Bun closes a connection idle for
 * `idleTimeout` (10 s by default in Bun 1.4.5); a ping well inside that keeps it open,
 * and lets a proxy or client notice a dead peer.
 */
export const SSE_PING_MS = 5_000;

/** Most nodes the `state` event of `/events` lists (live ones first). */
export const STATE_NODES_MAX = 500;

/** How long an EventSource waits before reconnecting (sent in the first event). */
const RETRY_MS = 2_000;

/** One server-sent event as text: `event:`, one `data:` line per line of JSON, blank line. */
export function formatSse(event: string, data: unknown, retryMs?: number): string {
  const lines = JSON.stringify(data).split("\n").map((line) => `data: ${line}`);
  return [`event: ${event}`, ...(retryMs === undefined ? [] : [`retry: ${retryMs}`]), ...lines, "", ""].join("\n");
}

export interface SseOptions {
  pingMs?: number;
  /** Bounds of each stream's queue (see sse-buffer.ts). */
  buffer?: SseBufferOptions;
}

/** Slow SSE clients, for /metrics. */
export interface SseCounters {
  /** Streams open now. */
  open: number;
  /** Times a client fell behind and was sent a resync instead of the events it missed. */
  resyncs: number;
  /** Clients disconnected for staying behind. */
  disconnects: number;
}

/** The SSE counters of each orchestrator. */
const countersOf = new WeakMap<Orchestrator, SseCounters>();

/** The SSE counters of an orchestrator (zeros before any stream). */
export function sseCounters(orchestrator: Orchestrator): SseCounters {
  let counters = countersOf.get(orchestrator);
  if (!counters) countersOf.set(orchestrator, (counters = { open: 0, resyncs: 0, disconnects: 0 }));
  return counters;
}

type Send = (event: string, data: unknown, retryMs?: number) => void;

/**
 * What a stream's `start` gets: `send` queues an event, `finish` ends the stream once the
 * queue is written, `listen` subscribes to the hub for the stream's life, `onResync` sets
 * what a client that fell behind is sent instead of the events it missed (the current state).
 */
interface StreamControls {
  send: Send;
  finish: () => void;
  listen: (listener: Listener<OrchestratorEvent>) => void;
  onResync: (resync: (send: Send, dropped: number) => void) => void;
}

/** Where one stream runs: its orchestrator's open streams and counters, the ping interval and buffer bounds. */
interface StreamContext {
  streams: Set<() => void>;
  counters: SseCounters;
  pingMs: number;
  buffer: SseBufferOptions;
  hub: EventHub<OrchestratorEvent>;
}

/** The open streams of each orchestrator, each by the function that ends it. */
const openStreams = new WeakMap<Orchestrator, Set<() => void>>();

/**
 * Ends every open event stream of an orchestrator. Call it before a graceful `server.stop()`:
 * Bun (1.4.5) waits for open responses, and an SSE response never ends by itself.
 */
export function closeEventStreams(orchestrator: Orchestrator): void {
  for (const end of openStreams.get(orchestrator) ?? []) end();
}

/**
 * Runs one SSE stream: `start` subscribes (through `listen`) and sends the current state; the
 * stream then stays open until the client goes away or `finish` is called. Events go through
 * a bounded queue (SseBuffer) written by one pump, so they keep their order and a client that
 * does not read costs at most the queue: behind, it gets a resync; stuck, it is disconnected.
 * Every hub subscription and the ping timer are released in `finally`, even when `start`
 * throws after subscribing.
 */
function eventStream(c: Context, ctx: StreamContext, start: (controls: StreamControls) => void) {
  return streamSSE(c, async (stream: SSEStreamingApi) => {
    const ended = Promise.withResolvers<void>();
    const end = () => ended.resolve();
    ctx.streams.add(end);
    ctx.counters.open++;
    const buffer = new SseBuffer(ctx.buffer);
    let resync: (send: Send, dropped: number) => void = () => {};
    /** Wakes the pump when it waits for work; resolves `drained` waiters when it runs out of work. */
    const signals = { wake: null as (() => void) | null, idle: [] as (() => void)[] };
    let pumping = true;
    let disconnected = false;
    const gone = () => stream.aborted || stream.closed || disconnected;
    const settleIdle = () => {
      for (const resolve of signals.idle.splice(0)) resolve();
    };
    const disconnect = () => {
      if (disconnected) return;
      disconnected = true;
      ctx.counters.disconnects++;
      stream.abort();
      settleIdle();
      end();
    };
    const write = (text: string) => {
      if (gone()) return;
      const now = Date.now();
      if (buffer.offer(text, now) === "overflow") ctx.counters.resyncs++;
      if (buffer.stalled(now)) return disconnect();
      signals.wake?.();
    };
    // Behind, an event is skipped before it is even serialized: the resync will cover it.
    const send: Send = (event, data, retryMs) => (buffer.accepting ? write(formatSse(event, data, retryMs)) : buffer.skip());
    // The one writer: takes chunks in order and waits for each write (the client's pace).
    const pump = async () => {
      while (pumping && !gone()) {
        const chunk = buffer.take();
        if (chunk === null) {
          settleIdle();
          await new Promise<void>((resolve) => (signals.wake = resolve));
          signals.wake = null;
        } else if (chunk.kind === "text") {
          await stream.write(chunk.text);
        } else {
          // Built now, when the client can take it: the state as it is, not as it was.
          const texts: string[] = [];
          resync((event, data, retryMs) => void texts.push(formatSse(event, data, retryMs)), chunk.dropped);
          for (const text of texts) await stream.write(text);
          buffer.caughtUp();
        }
      }
      settleIdle();
    };
    /** Resolves once everything queued so far is written, or the client is gone. */
    const drained = () => new Promise<void>((resolve) => {
      if (gone() || (buffer.size === 0 && signals.wake !== null)) return resolve();
      signals.idle.push(resolve);
    });
    void pump();
    stream.onAbort(() => ended.resolve());
    const unsubscribes: (() => void)[] = [];
    const listen = (listener: Listener<OrchestratorEvent>) => void unsubscribes.push(ctx.hub.subscribe(listener));
    const ping = setInterval(() => write(": ping\n\n"), ctx.pingMs);
    try {
      start({ send, finish: end, listen, onResync: (fn) => void (resync = fn) });
      await ended.promise;
      await drained();
    } finally {
      pumping = false;
      signals.wake?.();
      ctx.streams.delete(end);
      ctx.counters.open--;
      clearInterval(ping);
      for (const unsubscribe of unsubscribes) unsubscribe();
    }
  });
}

/** `snapshot`/`final` payloads of `/events`, or null for events that stream does not carry. */
function fleetEvent(event: OrchestratorEvent): [string, unknown] | null {
  if (event.type === "node") return ["node", { event: event.event, node: event.node }];
  if (event.type === "test") return ["snapshot", { test: event.snapshot, points: event.points }];
  if (event.type === "test_final") return ["final", { test: event.result, points: event.points }];
  if (event.type === "bus") return ["bus", event.health];
  return null;
}

/**
 * Server-sent events over the orchestrator's hub:
 * - `GET /tests/:id/events`: `snapshot` (the test and its newest series points) every second
 *   while it runs, then `final` (the result and the whole series) and the stream ends. The first
 *   event is the current state: a `snapshot` with the series so far, or `final` for an ended test.
 * - `GET /events`: `state` (nodes, running tests with their series, the bus's health), then
 *   every `node` change, every test's `snapshot` and `final`, and `bus` when its health changes.
 */
export function sseRoutes(orchestrator: Orchestrator, { pingMs = SSE_PING_MS, buffer = {} }: SseOptions = {}): Hono {
  const app = new Hono();
  const streams = openStreams.get(orchestrator) ?? new Set<() => void>();
  openStreams.set(orchestrator, streams);
  const ctx: StreamContext = { streams, counters: sseCounters(orchestrator), pingMs, buffer, hub: orchestrator.events };

  app.get("/tests/:id/events", (c) => {
    const testId = testIdParam(c);
    if (!orchestrator.getTest(testId)) throw new ApiError(404, `no test ${testId}`);
    return eventStream(c, ctx, ({ send, finish, listen, onResync }) => {
      const sendFinal = (test: unknown) => {
        send("final", { test, series: orchestrator.series(testId) });
        finish();
      };
      // Behind: the test as it is now, with the whole series so far (or its final result).
      onResync((direct, dropped) => {
        const current = orchestrator.getTest(testId);
        if (current && current.ended_at !== null) {
          direct("final", { test: current, series: orchestrator.series(testId), resync: true, dropped });
          finish();
        } else direct("snapshot", { test: current, points: orchestrator.series(testId)?.points ?? [], resync: true, dropped });
      });
      // Subscribed before the state is read: nothing emitted in between is lost (the hub is synchronous).
      listen((event) => {
        if (event.type === "test" && event.test_id === testId) {
          send("snapshot", { test: event.snapshot, points: event.points });
        } else if (event.type === "test_final" && event.test_id === testId) {
          sendFinal(event.result);
        }
      });
      const current = orchestrator.getTest(testId);
      if (current && current.ended_at !== null) sendFinal(current);
      else send("snapshot", { test: current, points: orchestrator.series(testId)?.points ?? [] }, RETRY_MS);
    });
  });

  app.get("/events", (c) =>
    eventStream(c, ctx, ({ send, listen, onResync }) => {
      listen((event) => {
        const out = fleetEvent(event);
        if (out) send(out[0], out[1]);
      });
      const state = () => {
        const tests = orchestrator.snapshots().map((test) => ({ test, points: orchestrator.series(test.test_id)?.points ?? [] }));
        // A bounded page of nodes, live ones first; `nodes_total` says how many there are.
        const { nodes, total } = orchestrator.pageNodes(STATE_NODES_MAX, 0);
        return { nodes, nodes_total: total, tests, bus: orchestrator.busHealth() };
      };
      // Behind: a fresh `state` replaces everything the client missed.
      onResync((direct, dropped) => direct("state", { ...state(), resync: true, dropped }));
      send("state", state(), RETRY_MS);
    }),
  );

  return app;
}
