// The live progress line of `loadtest start|watch|run`; pure.
import { formatCount, formatDuration, formatMs, formatPercent, formatRate } from "../format/format.ts";
import { expectedRequests, progressFraction } from "../orchestrator/expected-requests.ts";
import type { TestView } from "../orchestrator/snapshot.ts";

/** Cells of the progress bar. */
export const BAR_WIDTH = 24;

/** `[#########...............]` for a fraction in [0, 1]. */
export function progressBar(fraction: number, width = BAR_WIDTH): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return `[${"#".repeat(full)}${".".repeat(width - full)}]`;
}

/**
 * Share of the test done so far, in [0, 1]: sent of the planned total (a ramp's or a duration's
 * when the test plans a rate), or the time elapsed for a duration sent as fast as it can.
 */
export function sentFraction(test: TestView): number {
  return progressFraction(test);
}

/**
 * One line: bar, percent, sent of expected, requests/s now, p50/p99 so far, errors, elapsed.
 * `[######..........]  25%  2,500/10,000 | 1,234 req/s | p50 2.10 ms p99 8.40 ms | errors 0 (0.00%) | 2.1 s`,
 * then `| stopping (user)` once a stop was asked for.
 */
export function formatProgress(test: TestView): string {
  const m = test.metrics;
  const fraction = sentFraction(test);
  const expected = expectedRequests(test);
  const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
  return [
    `${progressBar(fraction)} ${pct}  ${formatCount(m.counts.sent)}${expected === null ? " sent" : `/${formatCount(expected)}`}`,
    `${formatRate(m.requests_per_s)} req/s`,
    `p50 ${formatMs(m.latency?.median_latency)} p99 ${formatMs(m.latency?.p99_latency)}`,
    `errors ${formatCount(m.errors.total)} (${formatPercent(m.errors.total, m.counts.sent)})`,
    formatDuration(test.duration_ms),
    // Between the stop and the drivers' final reports.
    ...(test.stop ? [`stopping (${test.stop.by})`] : []),
  ].join(" | ");
}

/** How a progress line is written: redrawn in place on a terminal, one line each otherwise. */
export function progressText(line: string, tty: boolean): string {
  return tty ? `\r${line}\x1b[K` : `${line}\n`;
}
