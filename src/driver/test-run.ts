import type { Logger } from "../log.ts";
import type { Trigger } from "../protocol/index.ts";
import type { Clock, TimerHandle } from "./clock.ts";
import type { OpenHttpPool } from "./http1-pool.ts";
import { writeLatencyDump } from "./latency-dump.ts";
import type { Outbox } from "./outbox.ts";
import { Reporter } from "./reporter.ts";
import { plannedDurationMs, type RunPlan } from "./run-plan.ts";
import { PLANNED_END_FACTOR, PLANNED_END_SLACK_MS } from "./defaults.ts";
import { DEFAULT_STOP_GRACE_MS } from "../protocol/index.ts";
import { SendLoop, type FetchLike, type SendLoopDeps, type SendLoopResult } from "./send-loop.ts";
import { TestStats } from "./test-stats.ts";
import { WorkerLoop, type RunLoop, type WorkerFault } from "./worker-loop.ts";
import { workersFor } from "./worker-split.ts";
import { endsBeforeCount, isPaced } from "./pacing/pacer.ts";
import { CLOCK_ESTIMATE_WAIT_MS, round, type ClockSync } from "./clock-sync.ts";
import { EARLY_BEGIN_MS, startClockOf, type StartClock } from "./start-clock.ts";
import { scenarioHooks, type ScenarioHooks } from "./scenario-hooks.ts";

export interface TestRunDeps {
  clock: Clock;
  fetch: FetchLike;
  /** Sends instead of `fetch` when it can serve the URL (http and https). */
  openHttp?: OpenHttpPool;
  /** Longest response body read before it is abandoned (default MAX_BODY_BYTES). */
  maxBodyBytes?: number;
  outbox: Outbox;
  log: Logger;
  nodeId: string;
  /** This driver process's instance id, part of each report_id. */
  instanceId?: string;
  reportIntervalMs?: number;
  /** When set, the raw latencies are written there at the end (LOADTEST_LATENCY_DUMP). */
  latencyDumpDir?: string;
  /**
   * Bun Workers to run the test on (`--workers`); 1 or unset: the in-thread send loop. More
   * need the real clock and HTTP (each worker opens its own pool, or uses the global fetch).
   */
  workers?: number;
  /** Test hook: crash one worker (see WorkerFault). */
  workerFault?: WorkerFault;
  /** The driver's estimate of the orchestrator's clock: `start_at` is converted with it (see clock-sync.ts). */
  clockSync?: ClockSync;
  /** Longest wait for a first offset estimate before starting uncorrected (default CLOCK_ESTIMATE_WAIT_MS). */
  clockWaitMs?: number;
  /**
   * Builds a plan's request source and checks its responses, for a plan with requests (default
   * the scenario module's, scenario-hooks.ts; null: such a plan ends at its start with an
   * error). Send workers always use the module's own (a function cannot cross to a thread).
   */
  scenario?: ScenarioHooks | null;
}

/**
 * One triggered test on this driver, from start time to final report: waits for the
 * trigger's `start_at`, announces TEST_STARTED, runs the send loop with its stats and 1 s
 * reports, then publishes the final report and TEST_FINISHED.
 */
export class TestRun {
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private startTimer: TimerHandle | null = null;
  private plannedEndTimer: TimerHandle | null = null;
  private startMono = 0;
  private loop: RunLoop | null = null;
  /** The loop when it runs on Bun Workers (`--workers`), for the reporter's gather. */
  private workers: WorkerLoop | null = null;
  /** Why a send worker's share failed, when one crashed (the other workers go on). */
  private crashReason: string | undefined;
  private stats: TestStats | null = null;
  private reporter: Reporter | null = null;
  private ending = false;
  /** Why the test was stopped, once a stop command came for it. */
  private stopReason: string | undefined;
  /** Cancels the wait for a first clock offset estimate, while it lasts. */
  private cancelEstimateWait: (() => void) | null = null;
  /** True once stop() or halt() was called: a loop that sent fewer than the count was then stopped. */
  private stopAsked = false;
  /** The clock offset the start was computed with, once it was. */
  private startClock: StartClock = { offsetMs: null, corrected: false };

  constructor(
    readonly plan: RunPlan,
    private readonly deps: TestRunDeps,
  ) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  get testId(): string {
    return this.plan.testId;
  }

  /** True once it was told to stop (a stop command, or its planned end passed): it is ending. */
  get halting(): boolean {
    return this.stopReason !== undefined;
  }

  /**
   * Starts at the trigger's `start_at` (never before it), or now when it is absent or past.
   * `start_at` is orchestrator time: it is converted to this driver's clock with the offset
   * estimate; without one yet (a driver just started) the start waits up to `clockWaitMs` for
   * one, then goes ahead on the driver's own clock (and TEST_STARTED says so). The converted
   * start is the one the send loop or the workers (worker-split.ts) derive every due time from.
   */
  start(trigger: Trigger): void {
    const { clock, clockSync } = this.deps;
    // The pacing timer's thread starts now, well before start_at, not at the first send (the
    // system clock makes it on first use; 64 processes starting threads at once skewed their starts).
    void clock.precise;
    if (trigger.start_at !== undefined && clockSync?.correction && clockSync.estimate() === null) {
      const go = () => this.scheduleStart(trigger, true);
      this.cancelEstimateWait = clockSync.onEstimate(go);
      this.startTimer = clock.setTimeout(go, this.deps.clockWaitMs ?? CLOCK_ESTIMATE_WAIT_MS);
      this.deps.log.info("waiting for a clock offset estimate before starting", { test_id: this.plan.testId });
      return;
    }
    this.scheduleStart(trigger, false);
  }

  private scheduleStart(trigger: Trigger, waited: boolean): void {
    const { clock, clockSync } = this.deps;
    this.cancelStartWait();
    this.startClock = startClockOf(clockSync, waited);
    const nowMs = clock.now();
    const nowMono = clock.mono();
    const startAt = trigger.start_at === undefined ? nowMs : this.startClock.corrected ? trigger.start_at - this.startClock.offsetMs! : trigger.start_at;
    this.startMono = nowMono + Math.max(0, startAt - nowMs);
    this.awaitStart();
  }

  /** Clears the start timer and the wait for an estimate; true when the test had not begun. */
  private cancelStartWait(): boolean {
    this.cancelEstimateWait?.();
    this.cancelEstimateWait = null;
    if (this.startTimer === null) return false;
    this.deps.clock.clearTimeout(this.startTimer);
    this.startTimer = null;
    return true;
  }

  /** Starts no new request, waits for those in flight, publishes the final report. */
  async stop(): Promise<void> {
    this.stopAsked = true;
    if (this.cancelStartWait()) this.begin(false);
    await this.loop?.stop();
    await this.finished;
  }

  /**
   * A stop command for this test: no new request from now, those in flight get `graceMs` to
   * finish and are then aborted (counted `stopped`); the final report carries `reason`.
   * Resolves once the final report is queued. Later calls only wait.
   */
  async halt(reason: string, graceMs: number): Promise<void> {
    this.stopReason ??= reason;
    this.stopAsked = true;
    if (this.cancelStartWait()) this.begin(false);
    await this.loop?.halt(graceMs);
    await this.finished;
  }

  private readonly awaitStart = (): void => {
    const waitMs = this.startMono - this.deps.clock.mono();
    // The send loop never sends before startMono and paces its first send with the precise
    // timer, so the test begins a little before it: setTimeout alone would start it 1-2 ms late.
    if (waitMs > EARLY_BEGIN_MS) this.startTimer = this.deps.clock.setTimeout(this.awaitStart, Math.ceil(waitMs - EARLY_BEGIN_MS));
    else {
      this.startTimer = null;
      this.begin(true);
    }
  };

  private begin(send: boolean): void {
    const { clock, outbox, nodeId, reportIntervalMs, fetch, openHttp, maxBodyBytes } = this.deps;
    const nowMs = clock.now();
    this.stats = new TestStats({
      nodeId,
      ...(this.deps.instanceId !== undefined ? { instanceId: this.deps.instanceId } : {}),
      testId: this.plan.testId,
      paced: isPaced(this.plan),
      startedAtMs: nowMs,
      epochOffsetMs: nowMs - clock.mono(),
      keepRaw: this.deps.latencyDumpDir !== undefined,
      ...(this.plan.requests ? { requestNames: this.plan.requests.map((r) => r.name) } : {}),
      ...(this.startClock.offsetMs !== null ? { clockOffsetMs: this.startClock.offsetMs, clockCorrected: this.startClock.corrected } : {}),
    });
    this.reporter = new Reporter({ stats: this.stats, outbox, clock, key: nodeId, intervalMs: reportIntervalMs, firstError: () => this.loop?.firstError, ...this.gatherOption() });
    if (!send) {
      void this.end({ sent: 0, stopped: true });
      return;
    }
    const { offsetMs, corrected, warning } = this.startClock;
    const clockFields = { ...(offsetMs !== null ? { clock_offset_ms: round(offsetMs) } : {}), ...(this.deps.clockSync ? { clock_corrected: corrected } : {}), ...(warning ? { warning } : {}) };
    outbox.push({ topic: "driver_event", message: { node_id: nodeId, test_id: this.plan.testId, event: "TEST_STARTED", timestamp: nowMs, ...clockFields }, key: nodeId });
    this.deps.log.info("test started", { test_id: this.plan.testId, mode: this.plan.mode, count: this.plan.count, concurrency: this.plan.concurrency, ...clockFields });
    this.reporter.start();
    const workers = workersFor(this.deps.workers ?? 1, this.plan);
    const scenario = this.scenarioDeps();
    if (scenario === null) {
      this.stopReason ??= "this driver cannot run request scenarios (no scenario module)";
      this.deps.log.error("test has requests but this driver has no scenario module", { test_id: this.plan.testId });
      void this.end({ sent: 0, stopped: true });
      return;
    }
    this.loop =
      workers > 1
        ? this.workerLoop(workers)
        : new SendLoop(this.plan, { fetch, clock, sink: this.stats, ...(openHttp ? { openHttp } : {}), ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}), ...scenario }, this.startMono);
    this.armPlannedEnd();
    void this.loop.start().then((result) => this.end(result));
  }

  /** A plan with requests: its request source and checks for the in-thread loop; null when none can be built. */
  private scenarioDeps(): Pick<SendLoopDeps, "requestSource" | "checkResponse"> | null {
    if (this.plan.requests === undefined) return {};
    const hooks = this.deps.scenario !== undefined ? this.deps.scenario : scenarioHooks;
    if (hooks === null) return null;
    return { requestSource: hooks.createRequestSource(this.plan, { nodeId: this.deps.nodeId, testId: this.plan.testId }), checkResponse: hooks.checkResponse };
  }

  /** On workers, each 1 s report first collects their windows (WorkerLoop.collect); in-thread, none. */
  private gatherOption(): { gather?: () => Promise<void> } {
    if (workersFor(this.deps.workers ?? 1, this.plan) === 1) return {};
    return { gather: () => this.workers?.collect() ?? Promise.resolve() };
  }

  /** The test's sends spread over `workers` Bun Workers, their windows merged into this run's stats. */
  private workerLoop(workers: number): WorkerLoop {
    const { log, openHttp, maxBodyBytes, workerFault } = this.deps;
    log.info("test runs on workers", { test_id: this.plan.testId, workers });
    return (this.workers = new WorkerLoop(
      this.plan,
      {
        stats: this.stats!,
        log,
        workers,
        nodeId: this.deps.nodeId,
        pooled: openHttp !== undefined,
        ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
        keepRaw: this.deps.latencyDumpDir !== undefined,
        onCrash: (reason) => void (this.crashReason ??= reason),
        ...(workerFault !== undefined ? { fault: workerFault } : {}),
      },
      this.startMono,
    ));
  }

  /** See {@link PLANNED_END_FACTOR}: a run far past its schedule stops itself. */
  private armPlannedEnd(): void {
    const plannedMs = plannedDurationMs(this.plan);
    if (plannedMs === null) return;
    const limitMs = plannedMs * PLANNED_END_FACTOR + this.plan.timeoutMs + PLANNED_END_SLACK_MS;
    const { clock } = this.deps;
    this.plannedEndTimer = clock.setTimeout(() => {
      this.plannedEndTimer = null;
      this.deps.log.warn("test ran past its planned end: stopping it", { test_id: this.plan.testId, planned_ms: plannedMs, limit_ms: limitMs });
      void this.halt(`ran past its planned end (${Math.round(plannedMs)} ms of schedule, stopped after ${Math.round(limitMs)} ms)`, DEFAULT_STOP_GRACE_MS);
    }, Math.max(0, this.startMono + limitMs - clock.mono()));
  }

  private async end(result: SendLoopResult): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    if (this.plannedEndTimer !== null) this.deps.clock.clearTimeout(this.plannedEndTimer);
    this.plannedEndTimer = null;
    const { outbox, nodeId, log, clock, latencyDumpDir } = this.deps;
    const stats = this.stats!;
    if (latencyDumpDir !== undefined && stats.raw !== null) {
      // Written before the final report, so whoever sees that report can read the file.
      await writeLatencyDump(latencyDumpDir, nodeId, this.plan.testId, stats.raw).catch((err: Error) =>
        log.error("latency dump not written", { dir: latencyDumpDir, error: err.message }),
      );
    }
    const aborted = stats.counts.stopped ?? 0;
    // A duration or stages may end the schedule before the count: that is its end, not a stop.
    const scheduleEnded = endsBeforeCount(this.plan) && !this.stopAsked && this.crashReason === undefined;
    const cut = (result.stopped && !scheduleEnded) || aborted > 0;
    const howFar = `stopped after ${result.sent} of ${this.plan.count} requests${aborted > 0 ? `, ${aborted} in flight aborted` : ""}`;
    const reason = this.stopReason ?? this.crashReason;
    const error = !cut ? undefined : reason !== undefined ? `${reason} (${howFar})` : howFar;
    const report = this.reporter!.finish(error);
    outbox.push({
      topic: "driver_event",
      message: { node_id: nodeId, test_id: this.plan.testId, event: "TEST_FINISHED", timestamp: clock.now(), ...(error ? { error } : {}) },
      key: nodeId,
    });
    log.info("test finished", {
      test_id: this.plan.testId,
      counts: report.counts,
      median_latency: report.metrics.median_latency,
      max_in_flight: this.loop?.maxInFlight ?? 0,
      ...(this.loop?.firstError ? { first_error: this.loop.firstError } : {}),
      ...(error ? { stopped: error } : {}),
    });
    this.resolveFinished();
  }
}
