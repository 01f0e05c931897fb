// The pure judge of automatic aborts: given a test's merged per-second figures, its abort
// thresholds, the window and the delay, which threshold holds now and on what figure.
// k6's abortOnFail / delayAbortEval, judged on the last seconds rather than the whole test.
import type { TDigest } from "tdigest";
import { formatCount, formatMs, formatRate } from "../../format/format.ts";
import type { Counts } from "../../protocol/index.ts";
import { compareThreshold, isLatencyMetric, LATENCY_METRICS, type Threshold } from "../../protocol/thresholds.ts";
import { summarize, type ExactStats } from "../../stats/digest.ts";
import { errorsOf } from "../snapshot.ts";
import { addCell, emptyWindowCell, type WindowCell } from "../window-cell.ts";

/** Second `t_s` of a test (0 starts at its start time), every driver merged. */
export interface AbortCell extends WindowCell {
  t_s: number;
}

/** What {@link judgeAbort} looks at. */
export interface AbortJudgeInput {
  /** Merged per-second figures (any seconds: the judge picks the window's). */
  cells: readonly AbortCell[];
  /** Judged in order; the first that holds fires. */
  thresholds: readonly Threshold[];
  window_s: number;
  delay_s: number;
  /** Time since the test's start (`now - start_at`). */
  elapsed_ms: number;
}

/** The threshold that held, the figure that made it hold, and over how many seconds. */
export interface AbortFiring {
  threshold: Threshold;
  expression: string;
  observed: number;
  /** Seconds judged: the window, or fewer when the delay is shorter than the window. */
  window_s: number;
  /** "errors = 48.20% (482 of 1,000)" */
  shown: string;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * The seconds judged at `elapsed_ms`: the last `window_s` whole seconds before the current
 * one (whose reports are still arriving), never before second 0; null while nothing is due.
 */
export function abortWindow(elapsedMs: number, windowS: number): { from_s: number; to_s: number } | null {
  const current = Math.floor(elapsedMs / 1000);
  const to_s = current - 1;
  const from_s = Math.max(0, current - windowS);
  return to_s < from_s ? null : { from_s, to_s };
}

/** One figure over the window, or null when there is none (no completed request, no send). */
function measure(t: Threshold, counts: Counts, digest: TDigest, exact: ExactStats, seconds: number): { observed: number; shown: string } | null {
  if (isLatencyMetric(t.metric)) {
    if (exact.count === 0 || digest.size() === 0) return null;
    const observed = summarize(digest, exact)[LATENCY_METRICS[t.metric]];
    if (observed === undefined) return null;
    return { observed, shown: `${t.metric} = ${formatMs(observed)}` };
  }
  if (t.metric === "rps") {
    const observed = round(counts.completed / seconds, 1);
    return { observed, shown: `rps = ${formatRate(observed)}/s` };
  }
  const count = t.metric === "errors" ? errorsOf(counts).total : counts.late;
  if (!t.percent) return { observed: count, shown: `${t.metric} = ${formatCount(count)}` };
  if (counts.sent === 0) return null;
  const observed = round((count * 100) / counts.sent, 2);
  return { observed, shown: `${t.metric} = ${observed.toFixed(2)}% (${formatCount(count)} of ${formatCount(counts.sent)})` };
}

/**
 * Which abort threshold holds now, or null. Nothing fires before `delay_s` after the start;
 * then each threshold is judged on the merged figures of the window's seconds (counts summed,
 * digests merged, never averaged): errors/late as a share of the window's sends, rps as the
 * window's completions per second. A figure that does not exist (no completed request for a
 * latency, no send for a share) never fires.
 */
export function judgeAbort(input: AbortJudgeInput): AbortFiring | null {
  const { cells, thresholds, window_s, delay_s, elapsed_ms } = input;
  if (thresholds.length === 0 || elapsed_ms < delay_s * 1000) return null;
  const window = abortWindow(elapsed_ms, window_s);
  if (!window) return null;
  const merged = emptyWindowCell();
  // Digests are merged only when a latency is judged: counts alone are cheap.
  const latency = thresholds.some((t) => isLatencyMetric(t.metric));
  for (const cell of cells) if (cell.t_s >= window.from_s && cell.t_s <= window.to_s) addCell(merged, cell, latency);
  const { counts, digest, exact } = merged;
  const seconds = window.to_s - window.from_s + 1;
  for (const threshold of thresholds) {
    const figure = measure(threshold, counts, digest, exact, seconds);
    if (figure && compareThreshold(figure.observed, threshold.op, threshold.value)) {
      return { threshold, expression: threshold.text, observed: figure.observed, window_s: seconds, shown: figure.shown };
    }
  }
  return null;
}
