import { MAX_FIRST_ERROR_LENGTH, type MetricsReport } from "../protocol/index.ts";
import type { Clock } from "./clock.ts";
import { REPORT_INTERVAL_MS } from "./defaults.ts";
import type { Outbox } from "./outbox.ts";
import type { TestStats } from "./test-stats.ts";

export interface ReporterOptions {
  stats: TestStats;
  outbox: Outbox;
  clock: Clock;
  /** Partition key of every report (the node id), so one driver's reports stay in order. */
  key: string;
  intervalMs?: number;
  /**
   * Runs before each 1 s report, which waits for it (a WorkerLoop collecting its workers'
   * windows, so each report carries its own second). Unset, the report goes out at once.
   */
  gather?: () => Promise<void>;
  /** The first error of a request without a response so far (the send loop's), carried by each report as `first_error`. */
  firstError?: () => string | undefined;
}

/**
 * Publishes a test's metrics: one report per window (every second) while it runs, then
 * the final one. Reports go through the outbox, so a broker outage delays them but never
 * loses or reorders them.
 */
export class Reporter {
  private stopTimer: (() => void) | null = null;
  private gathering = false;

  constructor(private readonly options: ReporterOptions) {}

  /** Starts the window timer. */
  start(): void {
    const { clock, intervalMs = REPORT_INTERVAL_MS } = this.options;
    this.stopTimer = clock.every(intervalMs, this.tick);
  }

  private readonly tick = (): void => {
    const { gather } = this.options;
    if (gather === undefined) return void this.publish(false);
    // A gather still pending (a very busy machine) covers this tick too: one report, not two.
    if (this.gathering) return;
    this.gathering = true;
    void gather().then(() => {
      this.gathering = false;
      // Finished meanwhile: the final report has gone out and no window report may follow it.
      if (this.stopTimer !== null) this.publish(false);
    });
  };

  /** Stops the timer and publishes the final report; `stopped` says why the test ended early, if it did. */
  finish(stopped?: string): MetricsReport {
    this.stopTimer?.();
    this.stopTimer = null;
    return this.publish(true, stopped);
  }

  private publish(final: boolean, stopped?: string): MetricsReport {
    const { stats, outbox, clock, key } = this.options;
    const report = stats.report(clock.now(), final);
    if (stopped !== undefined) report.stopped = stopped;
    const firstError = this.options.firstError?.();
    if (firstError !== undefined) report.first_error = firstError.slice(0, MAX_FIRST_ERROR_LENGTH);
    outbox.push({ topic: "metrics", message: report, key });
    return report;
  }
}
