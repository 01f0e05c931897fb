// The per-request half of the CLI's final summary (issue 11): checks, bytes, and a row per
// request name of a scenario; pure.
import { formatCount, formatMs, formatPercent } from "../format/format.ts";
import type { TestView } from "../orchestrator/snapshot.ts";

/** Longest first-check-failure reason shown (the whole one is in `loadtest report`). */
const MAX_REASON_SHOWN = 120;

/** "12.3 MB": a byte count in B, kB, MB or GB (powers of 1000, as k6 shows data). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "–";
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The checks and data lines of the summary, each only when the reports carried it. */
export function checkLines(test: TestView): string[] {
  const c = test.metrics.counts;
  const lines: string[] = [];
  if (c.check_failed !== undefined) {
    const passed = c.completed - c.check_failed;
    lines.push(`  checks ........ ${formatPercent(passed, c.completed)} passed, ${formatCount(c.check_failed)} of ${formatCount(c.completed)} responses failed`);
  }
  if (c.bytes_sent !== undefined || c.bytes_received !== undefined) {
    lines.push(`  data .......... ${formatBytes(c.bytes_sent ?? 0)} sent, ${formatBytes(c.bytes_received ?? 0)} received`);
  }
  return lines;
}

/** The per-request table rows (header first), and each name's first check failure; none without a scenario. */
export function requestRows(test: TestView): { rows: string[][]; failures: string[] } {
  const byRequest = Object.entries(test.by_request ?? {});
  if (byRequest.length === 0) return { rows: [], failures: [] };
  const rows = [
    ["request", "sent", "completed", "errors", "checks failed", "p50", "p90", "p99", "max"],
    ...byRequest.map(([name, r]) => {
      const c = r.counts;
      return [
        name,
        formatCount(c.sent),
        formatCount(c.completed),
        formatCount(c.status_4xx + c.status_5xx + c.timeout + c.connection_error),
        formatCount(r.check_failed),
        formatMs(r.metrics?.median),
        formatMs(r.metrics?.p90),
        formatMs(r.metrics?.p99),
        formatMs(r.metrics?.max),
      ];
    }),
  ];
  const failures = byRequest.flatMap(([name, r]) => {
    const reason = r.first_check_failure;
    if (reason === null) return [];
    const shown = reason.length > MAX_REASON_SHOWN ? `${reason.slice(0, MAX_REASON_SHOWN)}…` : reason;
    return [`  first check failure of ${name}: ${shown}`];
  });
  return { rows, failures };
}
