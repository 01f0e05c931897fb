import type { Counts } from "../protocol/index.ts";
import { addCounts, zeroCounts } from "../protocol/counts.ts";
import type { Logger } from "../log.ts";
import type { SendLoopResult } from "./send-loop.ts";
import type { ShareWindow, TestStats } from "./test-stats.ts";
import type { ControlMessage, RunShareMessage, WorkerReply } from "./worker-messages.ts";
import { splitPlan, type WorkerShare } from "./worker-split.ts";
import { isPaced } from "./pacing/pacer.ts";
import type { RunPlan } from "./run-plan.ts";

/**
 * Longest a 1 s report waits for the workers' windows: a worker this late (a very busy
 * machine) has its window absorbed when it comes, into the next report; the totals are exact.
 */
export const COLLECT_TIMEOUT_MS = 500;

/** How long the main thread waits after a worker's error or exit for messages it posted before. */
const CRASH_SETTLE_MS = 50;

/** The part of a send loop a TestRun drives: the in-thread SendLoop and the WorkerLoop both fit. */
export interface RunLoop {
  readonly maxInFlight: number;
  readonly firstError: string | undefined;
  start(): Promise<SendLoopResult>;
  stop(): Promise<SendLoopResult>;
  halt(graceMs: number): Promise<SendLoopResult>;
}

/** Test hook: worker `index` throws from a timer `afterMs` after it began (a crash, off the hot path). */
export interface WorkerFault {
  index: number;
  afterMs: number;
}

/** What a {@link WorkerLoop} needs besides the plan and its start. */
export interface WorkerLoopDeps {
  /** The main thread's stats: every worker window is absorbed into them (one report per second). */
  stats: TestStats;
  log: Logger;
  /** How many workers (from workersFor: at least 2 here). */
  workers: number;
  /** Whether http and https targets go through the HTTP/1.1 pool in each worker. */
  pooled: boolean;
  /** The driver's node id, for a scenario's `${node_id}` in each worker's request source. */
  nodeId?: string;
  maxBodyBytes?: number;
  keepRaw: boolean;
  /** Called once per crashed worker, with the reason the final report carries. */
  onCrash(reason: string): void;
  fault?: WorkerFault;
  /** Builds a worker (tests may swap the entry point). */
  spawn?: () => Worker;
}

/** One worker's progress, from the main thread's side. */
interface ShareState {
  share: WorkerShare;
  worker: Worker;
  /** Counts absorbed from it so far. */
  counts: Counts;
  done: boolean;
  sent: number;
  stopped: boolean;
  /** Called on its next reply (a window, its end or its crash): a pending collect(). */
  waiters: (() => void)[];
}

const spawnSendWorker = () => new Worker(new URL("./send-worker.ts", import.meta.url).href);

/**
 * A test's send loop spread over N Bun Workers (`--workers N`), from the main thread: splits
 * the plan (worker-split.ts), starts each share at its offset of the same start time, absorbs
 * every window a worker hands over into the one TestStats the Reporter publishes from, and
 * passes stop and halt to every worker. A worker that crashes ends its share: what it counted
 * is kept, its requests in flight are counted `stopped`, and `onCrash` gets the reason.
 */
export class WorkerLoop implements RunLoop {
  maxInFlight = 0;
  firstError: string | undefined;
  readonly done: Promise<SendLoopResult>;
  private resolveDone!: (result: SendLoopResult) => void;
  private readonly states: ShareState[] = [];
  private started = false;

  constructor(
    private readonly plan: RunPlan,
    private readonly deps: WorkerLoopDeps,
    /** Monotonic ms (this thread's performance.now) at which sending begins. */
    private readonly startMs: number,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** Spawns the workers and hands each its share; resolves when every share has ended. */
  start(): Promise<SendLoopResult> {
    if (this.started) return this.done;
    this.started = true;
    const { workers, pooled, maxBodyBytes, keepRaw, fault, spawn = spawnSendWorker } = this.deps;
    for (const share of splitPlan(this.plan, this.startMs, workers)) {
      const worker = spawn();
      const state: ShareState = { share, worker, counts: zeroCounts(), done: false, sent: 0, stopped: false, waiters: [] };
      this.states.push(state);
      worker.onmessage = (event: MessageEvent<WorkerReply>) => this.onReply(state, event.data);
      // The worker's own last word (its window, then `crash`) may still be queued behind these.
      worker.addEventListener("error", (event) => {
        event.preventDefault();
        setTimeout(() => this.crashed(state, (event as ErrorEvent).message || "worker error"), CRASH_SETTLE_MS);
      });
      worker.addEventListener("close", () => setTimeout(() => this.crashed(state, "worker exited"), CRASH_SETTLE_MS));
      const message: RunShareMessage = {
        type: "run",
        index: share.index,
        ...(this.deps.nodeId !== undefined ? { nodeId: this.deps.nodeId } : {}),
        plan: share.plan,
        startEpochMs: performance.timeOrigin + share.startMs,
        pooled,
        ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
        paced: isPaced(this.plan),
        keepRaw,
        ...(fault !== undefined && fault.index === share.index ? { crashAfterMs: fault.afterMs } : {}),
      };
      worker.postMessage(message);
    }
    return this.done;
  }

  /** Every worker starts no new send; resolves once all their requests have ended. */
  stop(): Promise<SendLoopResult> {
    this.control({ type: "stop" });
    return this.settledOrNow();
  }

  /** Every worker starts no new send and aborts what is still in flight after `graceMs`. */
  halt(graceMs: number): Promise<SendLoopResult> {
    this.control({ type: "halt", graceMs });
    return this.settledOrNow();
  }

  /**
   * Asks every running worker for its current window and resolves once each has handed it
   * over (or ended), or after {@link COLLECT_TIMEOUT_MS}: the Reporter's `gather`, so every 1 s
   * report carries all the workers' requests of its second, however their threads are scheduled.
   * Closing a window costs ~1 ms (sorting and folding its latencies), so once a report.
   */
  collect(): Promise<void> {
    const running = this.states.filter((s) => !s.done);
    if (running.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      let left = running.length;
      const timer = setTimeout(resolve, COLLECT_TIMEOUT_MS);
      const one = () => {
        if (--left > 0) return;
        clearTimeout(timer);
        resolve();
      };
      for (const state of running) {
        state.waiters.push(one);
        state.worker.postMessage({ type: "window" } satisfies ControlMessage);
      }
    });
  }

  private settledOrNow(): Promise<SendLoopResult> {
    if (!this.started) {
      this.started = true;
      this.resolveDone({ sent: 0, stopped: true });
    }
    return this.done;
  }

  private control(message: ControlMessage): void {
    for (const state of this.states) if (!state.done) state.worker.postMessage(message);
  }

  private onReply(state: ShareState, reply: WorkerReply): void {
    if (state.done) return;
    if (reply.share !== undefined) this.absorb(state, reply.share);
    this.wake(state);
    if (reply.type === "done") {
      this.maxInFlight += reply.maxInFlight;
      this.firstError ??= reply.firstError;
      this.settle(state, reply.result.sent, reply.result.stopped);
    } else if (reply.type === "crash") this.crashed(state, reply.error);
  }

  private absorb(state: ShareState, share: ShareWindow): void {
    addCounts(state.counts, share.counts);
    this.deps.stats.absorb(share);
  }

  /** A share that ended without its last window: kept as counted, its requests in flight counted `stopped`. */
  private crashed(state: ShareState, error: string): void {
    if (state.done) return;
    const c = state.counts;
    const lost = c.sent - c.completed - c.timeout - c.connection_error - (c.stopped ?? 0);
    if (lost > 0) this.absorb(state, { counts: { ...zeroCounts(), stopped: lost }, latency: { exact: { count: 0, sum: 0, min: Infinity, max: -Infinity }, digest: { means: [], counts: [] } } });
    const reason = `worker ${state.share.index + 1} of ${this.states.length} crashed: ${firstLine(error)}`;
    this.deps.log.error("send worker crashed", { test_id: this.plan.testId, worker: state.share.index, error: firstLine(error), sent: c.sent });
    this.deps.onCrash(reason);
    this.settle(state, c.sent, true);
  }

  private wake(state: ShareState): void {
    for (const waiter of state.waiters.splice(0)) waiter();
  }

  private settle(state: ShareState, sent: number, stopped: boolean): void {
    state.done = true;
    this.wake(state);
    state.sent = sent;
    state.stopped = stopped;
    state.worker.terminate();
    if (!this.states.every((s) => s.done)) return;
    const total = this.states.reduce((sum, s) => sum + s.sent, 0);
    this.resolveDone({ sent: total, stopped: this.states.some((s) => s.stopped) || total < this.plan.count });
  }
}

/** Bun's error messages carry the source excerpt: the reason keeps the `error: ...` line, else the first. */
function firstLine(message: string): string {
  const lines = message.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return lines.find((l) => l.startsWith("error:"))?.slice("error:".length).trim() ?? lines[0] ?? message;
}
