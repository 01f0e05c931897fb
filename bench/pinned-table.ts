/** Markdown for the pinned comparison (pure). */
import { bottleneckText } from "./bottleneck.ts";
import type { PinnedSeries } from "./pinned-compare.ts";
import { ratio } from "./summary.ts";
import { fmt, fmtRatio, markdownTable } from "./table.ts";

const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : "-");

/** Rows of one connection level: the target's req/s, the tool's own, latency, CPU µs/req, the tool's core use, the target's µs/req, ours ÷ tool, the bottleneck. */
export function pinnedRows(connections: number, series: readonly PinnedSeries[], oursName: string): string[][] {
  const ours = series.find((s) => s.name === oursName);
  return series.map((s) =>
    s.skipped !== null
      ? [fmt(connections), s.name, "-", "-", "-", "-", "-", "-", "-", "-", "-", s.skipped]
      : [
          fmt(connections),
          s.name,
          fmt(s.target_rps),
          fmt(s.tool_rps),
          fmt(s.p50_ms, 2),
          fmt(s.p99_ms, 2),
          fmt(s.cpu_us_per_req, 1),
          pct(s.load.tool),
          fmt(s.target_us_per_req, 2),
          s.name === oursName ? "1.00×" : fmtRatio(ratio(ours?.target_rps ?? NaN, s.target_rps)),
          bottleneckText(s.load),
          s.errors + s.non_2xx > 0 ? `${s.errors} errors, ${s.non_2xx} non-2xx` : "",
        ],
  );
}

/** The pinned table over one or more levels. */
export function pinnedTable(rows: readonly string[][]): string {
  return markdownTable(
    [">c", "tool", ">req/s (target's count)", ">tool's own req/s", ">p50 ms", ">p99 ms", ">CPU µs/req", ">tool core", ">target µs/req", ">ours ÷ tool", "bottleneck", "notes"],
    rows,
  );
}

/** The paragraph above a pinned table. */
export function pinnedPreamble(description: string, repeats: number, duration_s: number): string {
  return (
    `**Pinned** (${description}): ${repeats} run(s) of ${duration_s} s per tool, tools alternated each round, medians. ` +
    "req/s is the target's own /ping count over a steady window (1 s after the first response to about 1 s before the tool stops); " +
    "CPU µs/req is the tool process's user + system time (every thread, from /proc) over that window per response the target counted; " +
    '"tool core" is that CPU as a share of the tool\'s cores; "target µs/req" is the target\'s own CPU per response (what this tool\'s way of sending costs the server). "bottleneck" says which core set was saturated (≥ 90% busy), ' +
    "and warns when a core spent more than 15% on something other than its pinned process (interrupts, other jobs). " +
    "Each tool runs one event loop: wrk -t1, bombardier and vegeta GOMAXPROCS=1, our driver's one JavaScript thread, autocannon on Node."
  );
}
