// One test's automatic-abort watch: the few merged seconds its window needs (a rolling window,
// not the whole series), and the judge asked at each report and tick. Pure: time is passed in.
import type { MetricsReport } from "../../protocol/index.ts";
import type { Threshold } from "../../protocol/thresholds.ts";
import { addWindow, bucketOf, emptyWindowCell } from "../window-cell.ts";
import { abortThresholds, type AbortConfig } from "./abort-config.ts";
import { judgeAbort, type AbortCell, type AbortFiring } from "./abort-judge.ts";

/** Seconds kept beyond the window: the current one, and slack for drivers whose clocks run ahead. */
const SLACK_S = 3;
/** Judged at most this often (every report asks; a long window's digests are not merged per report). */
export const ABORT_JUDGE_EVERY_MS = 200;

/**
 * Folds a test's report windows into per-second cells (a window belongs to the second its
 * midpoint falls in, counted from the start, as in the report series) and keeps only the
 * newest `window_s` + a few seconds. Once it has fired, or once a driver has sent its final
 * report (the test is winding down: its tail is not judged), it never fires again.
 */
export class AbortWatch {
  private readonly cells = new Map<number, AbortCell>();
  private readonly thresholds: Threshold[];
  private done = false;
  private judgedAt = -Infinity;

  constructor(readonly config: AbortConfig) {
    this.thresholds = abortThresholds(config);
  }

  /** Folds an accepted (deduplicated) report in; `startAt` is the test's start time. */
  add(report: MetricsReport, startAt: number): void {
    if (report.final) this.done = true;
    const window = report.window;
    if (!window || this.done) return;
    const t_s = bucketOf(window, startAt, 1000);
    let cell = this.cells.get(t_s);
    if (!cell) {
      cell = { t_s, ...emptyWindowCell() };
      this.cells.set(t_s, cell);
      const oldest = t_s - this.config.abort_window_s - SLACK_S;
      for (const t of this.cells.keys()) if (t < oldest) this.cells.delete(t);
    }
    addWindow(cell, window);
  }

  /** The threshold that holds at `now` (at most once per test, judged at most every {@link ABORT_JUDGE_EVERY_MS}), or null. */
  check(now: number, startAt: number): AbortFiring | null {
    if (this.done || now - this.judgedAt < ABORT_JUDGE_EVERY_MS) return null;
    this.judgedAt = now;
    const firing = judgeAbort({
      cells: [...this.cells.values()],
      thresholds: this.thresholds,
      window_s: this.config.abort_window_s,
      delay_s: this.config.abort_delay_s,
      elapsed_ms: now - startAt,
    });
    if (firing) this.done = true;
    return firing;
  }

  /** Seconds held in memory (bounded by the window). */
  get size(): number {
    return this.cells.size;
  }
}
