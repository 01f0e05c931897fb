import type { Logger } from "../log.ts";
import type { Trigger } from "../protocol/index.ts";
import type { Clock, TimerHandle } from "./clock.ts";
import type { OpenHttpPool } from "./http1-pool.ts";
import { writeLatencyDump } from "./latency-dump.ts";
import type { Outbox } from "./outbox.ts";
import { Reporter } from "./reporter.ts";
import type { RunPlan } from "./run-plan.ts";
import { SendLoop, type FetchLike, type SendLoopResult } from "./send-loop.ts";
import { TestStats } from "./test-stats.ts";

export interface TestRunDeps {
  clock: Clock;
  fetch: FetchLike;
  /** Sends instead of `fetch` when it can serve the URL (plain http). */
  openHttp?: OpenHttpPool;
  outbox: Outbox;
  log: Logger;
  nodeId: string;
  /** This driver process's instance id, part of each report_id. */
  instanceId?: string;
  reportIntervalMs?: number;
  /** When set, the raw latencies are written there at the end (LOADTEST_LATENCY_DUMP). */
  latencyDumpDir?: string;
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
  private startMono = 0;
  private loop: SendLoop | null = null;
  private stats: TestStats | null = null;
  private reporter: Reporter | null = null;
  private ending = false;

  constructor(
    readonly plan: RunPlan,
    private readonly deps: TestRunDeps,
  ) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  get testId(): string {
    return this.plan.testId;
  }

  /** Starts at the trigger's `start_at` (never before it), or now when it is absent or past. */
  start(trigger: Trigger): void {
    const { clock } = this.deps;
    const nowMs = clock.now();
    const nowMono = clock.mono();
    this.startMono = nowMono + Math.max(0, (trigger.start_at ?? nowMs) - nowMs);
    this.awaitStart();
  }

  /** Starts no new request, waits for those in flight, publishes the final report. */
  async stop(): Promise<void> {
    if (this.startTimer !== null) {
      this.deps.clock.clearTimeout(this.startTimer);
      this.startTimer = null;
      this.begin(false);
    }
    await this.loop?.stop();
    await this.finished;
  }

  private readonly awaitStart = (): void => {
    const waitMs = this.startMono - this.deps.clock.mono();
    // A timer may fire a little early; only a wake-up at or after the start time begins the test.
    if (waitMs > 0) this.startTimer = this.deps.clock.setTimeout(this.awaitStart, Math.ceil(waitMs));
    else {
      this.startTimer = null;
      this.begin(true);
    }
  };

  private begin(send: boolean): void {
    const { clock, outbox, nodeId, reportIntervalMs, fetch, openHttp } = this.deps;
    const nowMs = clock.now();
    this.stats = new TestStats({
      nodeId,
      ...(this.deps.instanceId !== undefined ? { instanceId: this.deps.instanceId } : {}),
      testId: this.plan.testId,
      paced: this.plan.mode === "TSUNAMI",
      startedAtMs: nowMs,
      epochOffsetMs: nowMs - clock.mono(),
      keepRaw: this.deps.latencyDumpDir !== undefined,
    });
    this.reporter = new Reporter({ stats: this.stats, outbox, clock, key: nodeId, intervalMs: reportIntervalMs });
    if (!send) {
      void this.end({ sent: 0, stopped: true });
      return;
    }
    outbox.push({ topic: "driver_event", message: { node_id: nodeId, test_id: this.plan.testId, event: "TEST_STARTED", timestamp: nowMs }, key: nodeId });
    this.deps.log.info("test started", { test_id: this.plan.testId, mode: this.plan.mode, count: this.plan.count, concurrency: this.plan.concurrency });
    this.reporter.start();
    this.loop = new SendLoop(this.plan, { fetch, clock, sink: this.stats, ...(openHttp ? { openHttp } : {}) }, this.startMono);
    void this.loop.start().then((result) => this.end(result));
  }

  private async end(result: SendLoopResult): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    const { outbox, nodeId, log, clock, latencyDumpDir } = this.deps;
    const stats = this.stats!;
    if (latencyDumpDir !== undefined && stats.raw !== null) {
      // Written before the final report, so whoever sees that report can read the file.
      await writeLatencyDump(latencyDumpDir, nodeId, this.plan.testId, stats.raw).catch((err: Error) =>
        log.error("latency dump not written", { dir: latencyDumpDir, error: err.message }),
      );
    }
    const error = result.stopped ? `stopped after ${result.sent} of ${this.plan.count} requests` : undefined;
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
