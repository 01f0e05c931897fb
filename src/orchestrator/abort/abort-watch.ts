// One test's automatic-abort watch: asked at each report and tick, it judges the seconds of its
// window as the test's own per-second series holds them (one source: the core model's cells,
// not a copy). Pure: time is passed in.
import type { MetricsReport } from "../../protocol/index.ts";
import type { Threshold } from "../../protocol/thresholds.ts";
import { abortThresholds, type AbortConfig } from "./abort-config.ts";
import { abortWindow, judgeAbort, type AbortCell, type AbortFiring } from "./abort-judge.ts";

/** Judged at most this often (every report asks; a long window's digests are not merged per report). */
export const ABORT_JUDGE_EVERY_MS = 200;

/** Where the watch reads a test's per-second figures: its series (LiveTest, SeriesBuilder), second 0 at the start. */
export interface AbortCells {
  /** Each driver's figures of seconds `fromS` to `toS`. */
  cells(fromS: number, toS: number): AbortCell[];
}

/**
 * Judges a test's abort thresholds on the seconds of its window, read from the test's series.
 * Once it has fired, or once a driver has sent its final report (the test is winding down: its
 * tail is not judged), it never fires again.
 */
export class AbortWatch {
  private readonly thresholds: Threshold[];
  private done = false;
  private judgedAt = -Infinity;

  constructor(
    readonly config: AbortConfig,
    private readonly source: AbortCells,
  ) {
    this.thresholds = abortThresholds(config);
  }

  /** Notes an accepted (deduplicated) report: a final one ends the watch. */
  note(report: MetricsReport): void {
    if (report.final) this.done = true;
  }

  /** The threshold that holds at `now` (at most once per test, judged at most every {@link ABORT_JUDGE_EVERY_MS}), or null. */
  check(now: number, startAt: number): AbortFiring | null {
    if (this.done || now - this.judgedAt < ABORT_JUDGE_EVERY_MS) return null;
    this.judgedAt = now;
    const window = abortWindow(now - startAt, this.config.abort_window_s);
    const firing = judgeAbort({
      cells: window ? this.source.cells(window.from_s, window.to_s) : [],
      thresholds: this.thresholds,
      window_s: this.config.abort_window_s,
      delay_s: this.config.abort_delay_s,
      elapsed_ms: now - startAt,
    });
    if (firing) this.done = true;
    return firing;
  }
}
