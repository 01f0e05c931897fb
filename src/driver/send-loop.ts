import type { Clock, TimerHandle } from "./clock.ts";
import type { HttpPool, OpenHttpPool } from "./http1-pool.ts";
import type { PreciseTimerHandle } from "./precise-timer.ts";
import { drainBody } from "./drain-body.ts";
import { MAX_BODY_BYTES, MAX_SENDS_PER_TURN, PACING_MIN_WAKE_MS } from "./defaults.ts";
import { outcomeOfFailure, outcomeOfStatus, STOP_REASON, type Outcome } from "./outcome.ts";
import { pacerFor, type Pacer } from "./pacing/pacer.ts";
import type { RunPlan } from "./run-plan.ts";
import { TimeoutGroups } from "./timeout-groups.ts";
import type { OutcomeDetail, RequestSource, SendSpec } from "./scenario/request-spec.ts";
import type { CheckResponse } from "./scenario-hooks.ts";
import { estimateRequestBytes, estimateResponseHeadBytes } from "./fetch-bytes.ts";

/** The part of `fetch` the driver uses (Bun's global fetch fits). */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Where the loop reports each send and each outcome; called on the hot path, so keep it lean. */
export interface SendSink {
  /**
   * A send started at `startedMs` (monotonic); `dueMs` is its schedule time, NaN when unpaced.
   * `request`: its index in `plan.requests`, for a scenario (undefined without one).
   */
  onSend(startedMs: number, dueMs: number, request?: number): void;
  /**
   * The send ended; latencies run to the end of the body, `dueLatencyMs` from the due time (NaN
   * when unpaced). `bodyTooLarge`: the body passed the cap and was abandoned there (the latency
   * runs to that moment). `detail`: for a scenario's send, which request, its check result and bytes.
   */
  onOutcome(outcome: Outcome, latencyMs: number, dueLatencyMs: number, bodyTooLarge?: boolean, detail?: OutcomeDetail): void;
}

export interface SendLoopDeps {
  fetch: FetchLike;
  clock: Clock;
  sink: SendSink;
  /** Opens the connection pool that sends instead of `fetch` when it can serve the URL (see http1-pool.ts). */
  openHttp?: OpenHttpPool;
  /** Longest response body read before it is abandoned (default {@link MAX_BODY_BYTES}). */
  maxBodyBytes?: number;
  /** When each send may start; default the plan's ({@link pacerFor}). */
  pacer?: Pacer;
  /**
   * A scenario's sends (plan.requests): send i is `next(seqOffset + i × seqStride)`, through a
   * pool per origin (each opened on its first send, at most `plan.concurrency` connections).
   * Unset: the plan's one GET, exactly as before.
   */
  requestSource?: RequestSource;
  /** Evaluates a request's checks on its response (scenario/checks.ts); unset, no check is evaluated. */
  checkResponse?: CheckResponse;
}

/** How a loop ended. */
export interface SendLoopResult {
  sent: number;
  /** True when `stop()` ended it before every request was sent. */
  stopped: boolean;
}

/**
 * Sends one test's requests: exactly `plan.count` of them (fewer only when stopped, or when the
 * pacer is done first), at most `plan.concurrency` in flight, each when its {@link Pacer} lets it
 * start (pacing/: AVALANCHE from `startMs` on, TSUNAMI at its due times in the open model, under
 * the token bucket when the plan has a throughput cap). One timer drives the pacing: the clock's
 * precise timer when it has one (sub-millisecond, see precise-timer.ts), else setTimeout, whose
 * 1 ms steps make sends lag by up to 1 ms. A wake-up releases every send ready by then and never
 * one that is not, so a send never starts before its due time and spacing below the timer's
 * resolution holds on average. The loop yields to the event loop after {@link MAX_SENDS_PER_TURN}
 * sends and between batches of completions, so heartbeats and reports are never starved.
 */
export class SendLoop {
  /** Most requests in flight at any moment. */
  maxInFlight = 0;
  /** The first failure's message (for one log line per test, never per request). */
  firstError: string | undefined;
  readonly done: Promise<SendLoopResult>;
  private resolveDone!: (result: SendLoopResult) => void;
  private next = 0;
  /** Sends this loop makes at most: the plan's count, cut to those sent when the pacer is done. */
  private limit: number;
  private inFlight = 0;
  private stopping = false;
  private finished = false;
  private pumpQueued = false;
  private timer: TimerHandle | null = null;
  private graceTimer: TimerHandle | null = null;
  private preciseTimer: PreciseTimerHandle | null = null;
  private timerAtMs = Infinity;
  private readonly pacer: Pacer;
  private readonly timeouts: TimeoutGroups;
  private readonly pool: HttpPool | null;
  private readonly maxBodyBytes: number;
  private readonly source: RequestSource | null;
  /** A scenario's pools by origin as spelled in its URLs (null: that origin goes through fetch). */
  private readonly pools = new Map<string, HttpPool | null>();
  private readonly seqOffset: number;
  private readonly seqStride: number;
  /** What fetch is given beyond the signal for a plan with `tlsInsecure` (Bun's fetch option). */
  private readonly tlsInit: { tls?: { rejectUnauthorized: boolean } };

  constructor(
    private readonly plan: RunPlan,
    private readonly deps: SendLoopDeps,
    /** Monotonic ms at which sending begins (the pacer's origin: the TSUNAMI schedule's, the bucket's). */
    startMs: number,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.limit = plan.count;
    this.pacer = deps.pacer ?? pacerFor(plan, startMs);
    this.timeouts = new TimeoutGroups(deps.clock, plan.timeoutMs);
    this.maxBodyBytes = deps.maxBodyBytes ?? MAX_BODY_BYTES;
    this.source = deps.requestSource ?? null;
    this.seqOffset = plan.seqOffset ?? 0;
    this.seqStride = plan.seqStride ?? 1;
    this.tlsInit = plan.tlsInsecure === true ? { tls: { rejectUnauthorized: false } } : {};
    this.pool = this.source === null ? this.openPool(plan.url) : null;
  }

  private openPool(url: string): HttpPool | null {
    const options = { maxBodyBytes: this.maxBodyBytes, ...(this.plan.tlsInsecure === true ? { tlsInsecure: true } : {}) };
    try {
      return this.deps.openHttp?.(url, this.plan.concurrency, options) ?? null;
    } catch {
      return null; // a URL the pool cannot parse: fetch reports it per request
    }
  }

  /** The pool of `url`'s origin, opened on its first send; null when fetch sends there. */
  private poolFor(url: string): HttpPool | null {
    const key = originKey(url);
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = this.openPool(url);
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Begins sending (or arms the timer for the start time). */
  start(): Promise<SendLoopResult> {
    this.pump();
    return this.done;
  }

  /** Starts no new send; resolves once the requests in flight have ended (each bounded by its timeout). */
  stop(): Promise<SendLoopResult> {
    this.stopping = true;
    this.disarm();
    if (this.inFlight === 0) this.finish();
    return this.done;
  }

  /**
   * Stops the test: starts no new send at once (the pump checks one flag), lets the requests in
   * flight finish for at most `graceMs`, then aborts the rest, each counted `stopped`. Resolves
   * when the last of them has ended. A second call keeps the first grace.
   */
  halt(graceMs: number): Promise<SendLoopResult> {
    const done = this.stop();
    if (!this.finished && this.graceTimer === null) {
      this.graceTimer = this.deps.clock.setTimeout(this.abortInFlight, Math.max(0, graceMs));
    }
    return done;
  }

  private readonly abortInFlight = (): void => {
    this.graceTimer = null;
    this.timeouts.abortAll(STOP_REASON);
  };

  private readonly pump = (): void => {
    this.pumpQueued = false;
    if (this.finished) return;
    const { concurrency } = this.plan;
    const { clock } = this.deps;
    const pacer = this.pacer;
    let launched = 0;
    while (!this.stopping && this.next < this.limit && this.inFlight < concurrency) {
      const now = clock.mono();
      const readyMs = pacer.readyAt(this.next, now);
      if (readyMs > now) {
        if (readyMs === Infinity) this.limit = this.next;
        else this.arm(readyMs);
        break;
      }
      if (launched === MAX_SENDS_PER_TURN) {
        this.queuePump();
        break;
      }
      launched++;
      this.launch(now);
    }
    if (this.inFlight === 0 && (this.stopping || this.next >= this.limit)) this.finish();
  };

  /** Starts the next send, which the pacer said is ready at `now`. */
  private launch(now: number): void {
    const dueMs = this.pacer.start(this.next, now);
    const index = this.next;
    this.next++;
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    if (this.source !== null) this.sendSpec(this.source, index, dueMs);
    else if (this.pool !== null) this.sendPooled(this.pool, dueMs);
    else void this.send(dueMs).finally(this.settled);
  }

  /** A scenario's send `index` of this loop: the test's send `seqOffset + index × seqStride`. */
  private sendSpec(source: RequestSource, index: number, dueMs: number): void {
    let spec: SendSpec;
    try {
      spec = source.next(this.seqOffset + index * this.seqStride);
    } catch (error) {
      // A bug in the source must not leave the slot taken forever: counted as a failed send.
      const { clock, sink } = this.deps;
      const at = clock.mono();
      this.firstError ??= `request source: ${error instanceof Error ? error.message : String(error)}`;
      sink.onSend(at, dueMs);
      try {
        sink.onOutcome("connection_error", 0, at - dueMs);
      } finally {
        this.settled();
      }
      return;
    }
    const pool = this.poolFor(spec.url);
    if (pool !== null) this.sendSpecPooled(pool, spec, dueMs);
    else void this.sendSpecFetch(spec, dueMs).finally(this.settled);
  }

  /** {@link sendPooled} for a spec: the outcome carries its request, check result and bytes. */
  private sendSpecPooled(pool: HttpPool, spec: SendSpec, dueMs: number): void {
    const { clock, sink } = this.deps;
    const startedMs = clock.mono();
    const timeout = this.timeouts.acquire(startedMs);
    sink.onSend(startedMs, dueMs, spec.request);
    pool.send(
      timeout.signal,
      (status, error, bodyTooLarge, info) => {
        const endMs = clock.mono();
        this.timeouts.release(timeout, endMs);
        let outcome: Outcome;
        if (status !== 0) outcome = outcomeOfStatus(status);
        else {
          outcome = outcomeOfFailure(timeout.signal);
          if (outcome !== "stopped") this.firstError ??= error instanceof Error ? error.message : String(error);
        }
        try {
          const detail = this.detailOf(spec, status, endMs - startedMs, info?.body, info?.bytesSent ?? 0, info?.bytesReceived ?? 0);
          sink.onOutcome(outcome, endMs - startedMs, endMs - dueMs, bodyTooLarge, detail);
        } finally {
          this.settled();
        }
      },
      spec,
    );
  }

  /** A spec through fetch (an origin the pool does not serve): bytes estimated (fetch-bytes.ts). */
  private async sendSpecFetch(spec: SendSpec, dueMs: number): Promise<void> {
    const { clock, fetch, sink } = this.deps;
    const startedMs = clock.mono();
    const timeout = this.timeouts.acquire(startedMs);
    sink.onSend(startedMs, dueMs, spec.request);
    let outcome: Outcome;
    let endMs: number;
    let status = 0;
    let bodyTooLarge = false;
    let body: Uint8Array | undefined;
    let bytesReceived = 0;
    try {
      const init: RequestInit = { method: spec.method, headers: spec.headers as [string, string][], signal: timeout.signal, redirect: "manual", ...this.tlsInit };
      if (spec.body !== null) init.body = spec.body as Uint8Array<ArrayBuffer>;
      const res = await fetch(spec.url, init);
      bytesReceived = estimateResponseHeadBytes(res);
      const drained = await drainBody(res, this.maxBodyBytes, spec.captureBodyBytes);
      bytesReceived += drained.bytes;
      bodyTooLarge = drained.tooLarge;
      body = drained.body;
      status = res.status;
      outcome = outcomeOfStatus(status);
    } catch (error) {
      outcome = outcomeOfFailure(timeout.signal);
      if (outcome !== "stopped") this.firstError ??= error instanceof Error ? error.message : String(error);
    } finally {
      endMs = clock.mono();
      this.timeouts.release(timeout, endMs);
    }
    const detail = this.detailOf(spec, status, endMs - startedMs, body, estimateRequestBytes(spec), bytesReceived);
    sink.onOutcome(outcome, endMs - startedMs, endMs - dueMs, bodyTooLarge, detail);
  }

  /** The per-request detail of a send; its checks are evaluated only when a response came back. */
  private detailOf(spec: SendSpec, status: number, latencyMs: number, body: Uint8Array | undefined, bytesSent: number, bytesReceived: number): OutcomeDetail {
    const checks = this.source!.requests[spec.request]?.checks ?? null;
    const check = this.deps.checkResponse;
    const checkFailure = status !== 0 && checks !== null && check !== undefined ? check(checks, status, latencyMs, body) : null;
    return checkFailure === null ? { request: spec.request, bytesSent, bytesReceived } : { request: spec.request, checkFailure, bytesSent, bytesReceived };
  }

  /**
   * One request through the connection pool, with callbacks instead of promises: the outcome
   * is recorded and the next request written from the socket's own callback, in the same turn.
   */
  private sendPooled(pool: HttpPool, dueMs: number): void {
    const { clock, sink } = this.deps;
    const startedMs = clock.mono();
    const timeout = this.timeouts.acquire(startedMs);
    sink.onSend(startedMs, dueMs);
    pool.send(timeout.signal, (status, error, bodyTooLarge) => {
      const endMs = clock.mono();
      this.timeouts.release(timeout, endMs);
      let outcome: Outcome;
      if (status !== 0) outcome = outcomeOfStatus(status);
      else {
        outcome = outcomeOfFailure(timeout.signal);
        if (outcome !== "stopped") this.firstError ??= error instanceof Error ? error.message : String(error);
      }
      try {
        sink.onOutcome(outcome, endMs - startedMs, endMs - dueMs, bodyTooLarge);
      } finally {
        this.settled();
      }
    });
  }

  private async send(dueMs: number): Promise<void> {
    const { clock, fetch, sink } = this.deps;
    const startedMs = clock.mono();
    const timeout = this.timeouts.acquire(startedMs);
    sink.onSend(startedMs, dueMs);
    let outcome: Outcome;
    let endMs: number;
    let bodyTooLarge = false;
    try {
      const res = await fetch(this.plan.url, this.tlsInit.tls === undefined ? timeout.init : { ...timeout.init, ...this.tlsInit });
      // Reading the body to its end frees the keep-alive socket and makes latency cover it;
      // chunk by chunk and discarded, so a huge or endless body costs no memory (see drain-body.ts).
      bodyTooLarge = (await drainBody(res, this.maxBodyBytes)).tooLarge;
      outcome = outcomeOfStatus(res.status);
    } catch (error) {
      outcome = outcomeOfFailure(timeout.signal);
      if (outcome !== "stopped") this.firstError ??= error instanceof Error ? error.message : String(error);
    } finally {
      endMs = clock.mono();
      this.timeouts.release(timeout, endMs);
    }
    sink.onOutcome(outcome, endMs - startedMs, endMs - dueMs, bodyTooLarge);
  }

  private readonly settled = (): void => {
    this.inFlight--;
    if (this.inFlight === 0 && (this.stopping || this.next >= this.limit)) this.finish();
    else if (this.stopping) return;
    // The freed slot takes the next request at once when it is due and its token is free, as a
    // closed-loop tool does; otherwise the pump arms the timer. One send per completion cannot
    // starve the event loop (each is driven by an I/O event).
    else if (this.pumpQueued || this.next >= this.limit || !this.launchIfReady()) this.queuePump();
  };

  /** Sends the next request now if the pacer says it is ready; false leaves it to the pump. */
  private launchIfReady(): boolean {
    const now = this.deps.clock.mono();
    if (this.pacer.readyAt(this.next, now) > now) return false;
    this.launch(now);
    return true;
  }

  private queuePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    this.deps.clock.defer(this.pump);
  }

  private arm(atMs: number): void {
    if (this.timerAtMs <= atMs) return;
    this.disarm();
    this.timerAtMs = atMs;
    const { clock } = this.deps;
    const precise = clock.precise;
    if (precise) this.preciseTimer = precise.arm(Math.max(atMs, clock.mono() + PACING_MIN_WAKE_MS), this.onTimer);
    // Rounded up: a timer that fires early only costs a second wake-up.
    else this.timer = clock.setTimeout(this.onTimer, Math.ceil(atMs - clock.mono()));
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.preciseTimer = null;
    this.timerAtMs = Infinity;
    this.pump();
  };

  private disarm(): void {
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    if (this.preciseTimer !== null) this.deps.clock.precise?.cancel(this.preciseTimer);
    this.timer = null;
    this.preciseTimer = null;
    this.timerAtMs = Infinity;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.disarm();
    if (this.graceTimer !== null) this.deps.clock.clearTimeout(this.graceTimer);
    this.graceTimer = null;
    this.timeouts.close();
    this.pool?.close();
    for (const pool of this.pools.values()) pool?.close();
    this.pools.clear();
    this.resolveDone({ sent: this.next, stopped: this.next < this.plan.count });
  }
}

/** The scheme and authority of an absolute URL as spelled (`http://host:port`), without parsing it. */
export function originKey(url: string): string {
  const scheme = url.indexOf("//");
  let end = scheme === -1 ? 0 : scheme + 2;
  while (end < url.length) {
    const c = url.charCodeAt(end);
    if (c === 47 || c === 63 || c === 35) break; // "/" "?" "#"
    end++;
  }
  return url.slice(0, end);
}
