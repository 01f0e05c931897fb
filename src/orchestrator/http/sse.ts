import { Hono, type Context } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import { wireId } from "../../protocol/fields.ts";
import type { EventHub, Listener, OrchestratorEvent } from "../event-hub.ts";
import type { Orchestrator } from "../orchestrator.ts";
import { ApiError } from "./errors.ts";
import { seriesRecorderFor, type SeriesRecorder } from "./report-recorder.ts";

/**
 * Interval of the `: ping` comment on an idle stream. Bun closes a connection idle for
 * `idleTimeout` (10 s by default in Bun 1.4.5); a ping well inside that keeps it open,
 * and lets a proxy or client notice a dead peer.
 */
export const SSE_PING_MS = 5_000;

/** Points of the series each live update carries: the newest second may still change. */
export const LIVE_TAIL_POINTS = 3;

/** How long an EventSource waits before reconnecting (sent in the first event). */
const RETRY_MS = 2_000;

/** One server-sent event as text: `event:`, one `data:` line per line of JSON, blank line. */
export function formatSse(event: string, data: unknown, retryMs?: number): string {
  const lines = JSON.stringify(data).split("\n").map((line) => `data: ${line}`);
  return [`event: ${event}`, ...(retryMs === undefined ? [] : [`retry: ${retryMs}`]), ...lines, "", ""].join("\n");
}

export interface SseOptions {
  pingMs?: number;
}

type Send = (event: string, data: unknown, retryMs?: number) => void;

/** What a stream's `start` gets: `send` writes an event, `finish` ends the stream, `listen` subscribes to the hub for the stream's life. */
interface StreamControls {
  send: Send;
  finish: () => void;
  listen: (listener: Listener<OrchestratorEvent>) => void;
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
 * stream then stays open until the client goes away or `finish` is called. Writes are chained
 * so events keep their order; every hub subscription and the ping timer are released in
 * `finally`, even when `start` throws after subscribing.
 */
function eventStream(c: Context, streams: Set<() => void>, pingMs: number, hub: EventHub<OrchestratorEvent>, start: (controls: StreamControls) => void) {
  return streamSSE(c, async (stream: SSEStreamingApi) => {
    const ended = Promise.withResolvers<void>();
    const end = () => ended.resolve();
    streams.add(end);
    let chain = Promise.resolve();
    const write = (text: string) => {
      chain = chain.then(() => (stream.aborted || stream.closed ? undefined : stream.write(text).then(() => {})));
    };
    const send: Send = (event, data, retryMs) => write(formatSse(event, data, retryMs));
    stream.onAbort(() => ended.resolve());
    const unsubscribes: (() => void)[] = [];
    const listen = (listener: Listener<OrchestratorEvent>) => void unsubscribes.push(hub.subscribe(listener));
    const ping = setInterval(() => write(": ping\n\n"), pingMs);
    try {
      start({ send, finish: end, listen });
      await ended.promise;
      await chain;
    } finally {
      streams.delete(end);
      clearInterval(ping);
      for (const unsubscribe of unsubscribes) unsubscribe();
    }
  });
}

function testIdParam(c: Context): string {
  const id = c.req.param("id") ?? "";
  if (!wireId().safeParse(id).success) throw new ApiError(404, `no test ${JSON.stringify(id.slice(0, 128))}`);
  return id;
}

/** `snapshot`/`final` payloads of `/events`, or null for events that stream does not carry. */
function fleetEvent(event: OrchestratorEvent, recorder: SeriesRecorder): [string, unknown] | null {
  if (event.type === "node") return ["node", { event: event.event, node: event.node }];
  if (event.type === "test") return ["snapshot", { test: event.snapshot, points: recorder.tail(event.test_id, LIVE_TAIL_POINTS) }];
  if (event.type === "test_final") return ["final", { test: event.result, points: recorder.tail(event.test_id, LIVE_TAIL_POINTS) }];
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
export function sseRoutes(orchestrator: Orchestrator, { pingMs = SSE_PING_MS }: SseOptions = {}): Hono {
  const app = new Hono();
  const recorder = seriesRecorderFor(orchestrator);
  const streams = openStreams.get(orchestrator) ?? new Set<() => void>();
  openStreams.set(orchestrator, streams);

  app.get("/tests/:id/events", (c) => {
    const testId = testIdParam(c);
    if (!orchestrator.getTest(testId)) throw new ApiError(404, `no test ${testId}`);
    return eventStream(c, streams, pingMs, orchestrator.events, ({ send, finish, listen }) => {
      const sendFinal = (test: unknown) => {
        send("final", { test, series: recorder.series(testId) });
        finish();
      };
      // Subscribed before the state is read: nothing emitted in between is lost (the hub is synchronous).
      listen((event) => {
        if (event.type === "test" && event.test_id === testId) {
          send("snapshot", { test: event.snapshot, points: recorder.tail(testId, LIVE_TAIL_POINTS) });
        } else if (event.type === "test_final" && event.test_id === testId) {
          sendFinal(event.result);
        }
      });
      const current = orchestrator.getTest(testId);
      if (current && current.ended_at !== null) sendFinal(current);
      else send("snapshot", { test: current, points: recorder.series(testId)?.points ?? [] }, RETRY_MS);
    });
  });

  app.get("/events", (c) =>
    eventStream(c, streams, pingMs, orchestrator.events, ({ send, listen }) => {
      listen((event) => {
        const out = fleetEvent(event, recorder);
        if (out) send(out[0], out[1]);
      });
      const tests = orchestrator.snapshots().map((test) => ({ test, points: recorder.series(test.test_id)?.points ?? [] }));
      send("state", { nodes: orchestrator.listNodes(), tests, bus: orchestrator.busHealth() }, RETRY_MS);
    }),
  );

  return app;
}
