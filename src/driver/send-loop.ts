import type { Clock, TimerHandle } from "./clock.ts";
import type { HttpPool, OpenHttpPool } from "./http1-pool.ts";
import type { PreciseTimerHandle } from "./precise-timer.ts";
import { MAX_BODY_BYTES, MAX_SENDS_PER_TURN, PACING_MIN_WAKE_MS } from "./defaults.ts";
import { sendByFetch } from "./fetch-send.ts";
import { outcomeOfFailure, outcomeOfStatus, STOP_REASON, type Outcome } from "./outcome.ts";
import { pacerFor, type Pacer } from "./pacing/pacer.ts";
import { PooledSend } from "./pooled-send.ts";
import type { RunPlan } from "./run-plan.ts";
import { TimeoutGroups } from "./timeout-groups.ts";
import type { RequestSource } from "./scenario/request-spec.ts";
import type { CheckResponse } from "./scenario-hooks.ts";
import { ScenarioSender } from "./scenario-send.ts";
import { errorMessage, type FetchLike, type SendHost, type SendSink } from "./send-sink.ts";

export type { FetchLike, SendSink } from "./send-sink.ts";
export { originKey } from "./origin-key.ts";

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
  /** A scenario's sends (scenario-send.ts); null: the plan's one GET. */
  private readonly scenario: ScenarioSender | null;
  /** Ended pooled sends, reused by the next ones (see pooled-send.ts). */
  private readonly freeSends: PooledSend[] = [];
  /** What the fetch and scenario paths share with this loop. */
  private readonly host: SendHost;

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
    const tlsInit = plan.tlsInsecure === true ? { tls: { rejectUnauthorized: false } } : {};
    const noteError = (error: unknown): void => {
      this.firstError ??= errorMessage(error);
    };
    this.host = { clock: deps.clock, fetch: deps.fetch, sink: deps.sink, timeouts: this.timeouts, maxBodyBytes: this.maxBodyBytes, tlsInit, settled: this.settled, noteError };
    const source = deps.requestSource;
    this.scenario = source === undefined ? null : new ScenarioSender(this.host, source, (url) => this.openPool(url), deps.checkResponse, plan.seqOffset ?? 0, plan.seqStride ?? 1);
    this.pool = this.scenario === null ? this.openPool(plan.url) : null;
  }

  private openPool(url: string): HttpPool | null {
    const options = { maxBodyBytes: this.maxBodyBytes, ...(this.plan.tlsInsecure === true ? { tlsInsecure: true } : {}) };
    try {
      return this.deps.openHttp?.(url, this.plan.concurrency, options) ?? null;
    } catch {
      return null; // a URL the pool cannot parse: fetch reports it per request
    }
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

  /** Starts the next send, which the pacer said is ready at `now` (taken before its write: the pooled send's start). */
  private launch(now: number): void {
    const dueMs = this.pacer.start(this.next, now);
    const index = this.next;
    this.next++;
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    if (this.scenario !== null) this.scenario.send(index, dueMs);
    else if (this.pool !== null) this.sendPooled(this.pool, dueMs, now);
    else void sendByFetch(this.host, this.plan.url, dueMs).finally(this.settled);
  }

  /**
   * One request through the connection pool, with callbacks instead of promises: the outcome
   * is recorded and the next request written from the socket's own callback, in the same turn.
   * `startedMs` is the clock read that let it start (before its write); its state lives in a
   * reused {@link PooledSend}, so the hot path allocates no closure per request.
   */
  private sendPooled(pool: HttpPool, dueMs: number, startedMs: number): void {
    const send = this.freeSends.pop() ?? new PooledSend(this.endPooled);
    const timeout = this.timeouts.acquire(startedMs);
    send.startedMs = startedMs;
    send.dueMs = dueMs;
    send.timeout = timeout;
    this.deps.sink.onSend(startedMs, dueMs, undefined);
    pool.send(timeout.signal, send.done);
  }

  /** A pooled request ended: its outcome is recorded, and its end time starts the next one (one clock read per request). */
  private readonly endPooled = (send: PooledSend, status: number, error: unknown, bodyTooLarge: boolean | undefined): void => {
    const endMs = this.deps.clock.mono();
    const timeout = send.timeout!;
    const { startedMs, dueMs } = send;
    send.timeout = null;
    this.freeSends.push(send);
    this.timeouts.release(timeout, endMs);
    let outcome: Outcome;
    if (status !== 0) outcome = outcomeOfStatus(status);
    else {
      outcome = outcomeOfFailure(timeout.signal);
      if (outcome !== "stopped") this.firstError ??= errorMessage(error);
    }
    try {
      this.deps.sink.onOutcome(outcome, endMs - startedMs, endMs - dueMs, bodyTooLarge, undefined);
    } finally {
      this.settledAt(endMs);
    }
  };

  private readonly settled = (): void => {
    this.settledAt(NaN);
  };

  /** A send's slot is free; `nowMs` is the clock read at its end (NaN: read it now, if needed). */
  private settledAt(nowMs: number): void {
    this.inFlight--;
    if (this.inFlight === 0 && (this.stopping || this.next >= this.limit)) this.finish();
    else if (this.stopping) return;
    // The freed slot takes the next request at once when it is due and its token is free, as a
    // closed-loop tool does; otherwise the pump arms the timer. One send per completion cannot
    // starve the event loop (each is driven by an I/O event).
    else if (this.pumpQueued || this.next >= this.limit || !this.launchIfReady(nowMs === nowMs ? nowMs : this.deps.clock.mono())) this.queuePump();
  }

  /** Sends the next request now if the pacer says it is ready at `now`; false leaves it to the pump. */
  private launchIfReady(now: number): boolean {
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
    this.scenario?.close();
    this.resolveDone({ sent: this.next, stopped: this.next < this.plan.count });
  }
}
