import { comparePeers, type ToolSeries } from "../compare.ts";
import type { Peer } from "../load-result.ts";
import { autocannon } from "../peers/autocannon.ts";
import { ourDriver } from "../peers/driver.ts";
import { fetchLoop } from "../peers/fetch-loop.ts";
import { bombardier } from "../peers/bombardier.ts";
import { vegeta } from "../peers/vegeta.ts";
import { WRK_THREADS, wrk } from "../peers/wrk.ts";
import { pinnedPart } from "../pinned-section.ts";
import type { BenchContext, Section, SectionReport, Verdict } from "../section.ts";
import { median, ratio } from "../summary.ts";
import { fmt, fmtRatio, markdownTable } from "../table.ts";

/** Connections of the headline comparison. */
export const HEADLINE_CONNECTIONS = 64;

const PEERS: readonly Peer[] = [ourDriver, autocannon, wrk, fetchLoop];

/** Tools of the pinned table: the strongest peers in the same run. */
const PINNED_PEERS: readonly Peer[] = [ourDriver, wrk, bombardier, vegeta, autocannon, fetchLoop];

/** The comparison table: medians per tool and ratios of ours to each. */
export function throughputTable(series: readonly ToolSeries[], oursName: string): string {
  const ours = series.find((s) => s.name === oursName);
  const rows = series.map((s) =>
    s.skipped !== null
      ? [s.name, "-", "-", "-", "-", "-", "-", "-", s.skipped]
      : [
          s.name,
          fmt(s.rps),
          fmt(s.p50_ms, 2),
          fmt(s.p99_ms, 2),
          fmt(s.cpu_us_per_req, 1),
          `${s.runs.length}`,
          fmt(median(s.target_rps)),
          s.name === oursName ? "1.00×" : fmtRatio(ratio(ours?.rps ?? NaN, s.rps)),
          s.errors + s.non_2xx > 0 ? `${s.errors} errors, ${s.non_2xx} non-2xx` : "",
        ],
  );
  return markdownTable(["tool", ">req/s (median)", ">p50 ms", ">p99 ms", ">CPU µs/req", ">runs", ">target saw req/s", ">ours ÷ tool", "notes"], rows);
}

/**
 * Headline at 64 connections: pinned (the Go target and each tool on disjoint cores, see
 * bench/pinned-compare.ts) against wrk, bombardier, vegeta, autocannon and a bare fetch loop;
 * then everything on one box (the Bun target and the tool sharing every core), as before.
 */
export const throughputSection: Section = {
  id: "throughput",
  title: "Throughput at 64 connections",
  async run(ctx: BenchContext): Promise<SectionReport> {
    const pinned = await pinnedPart(ctx, PINNED_PEERS, [HEADLINE_CONNECTIONS], ourDriver, wrk);
    if (ctx.pinnedOnly) return { id: "throughput", title: this.title, markdown: pinned.markdown, verdicts: pinned.verdicts };
    const spec = { url: ctx.target.pingUrl, connections: HEADLINE_CONNECTIONS, duration_s: ctx.duration_s };
    ctx.progress(`throughput: ${PEERS.map((p) => p.name).join(", ")}; ${ctx.repeats}× ${ctx.duration_s} s each, alternated`);
    const series = await comparePeers(PEERS, spec, ctx.repeats, ctx.target, ctx.progress);
    const [ours, ac, wrkSeries] = [ourDriver.name, autocannon.name, wrk.name].map((n) => series.find((s) => s.name === n)!);
    const vsAc = ratio(ours!.rps, ac!.rps);
    const vsWrk = ratio(ours!.rps, wrkSeries!.rps);
    const verdicts: Verdict[] = [
      {
        target: "everything on one box: ours ≥ 1.0× autocannon at c=64",
        figure: `${fmtRatio(vsAc)} (${fmt(ours!.rps)} vs ${fmt(ac!.rps)} req/s)`,
        met: Number.isFinite(vsAc) ? vsAc >= 1 : null,
        why: `CPU per request: ours ${fmt(ours!.cpu_us_per_req, 1)} µs, autocannon ${fmt(ac!.cpu_us_per_req, 1)} µs`,
      },
      {
        target: "everything on one box: aim ≥ 0.8× wrk at c=64",
        figure: Number.isFinite(vsWrk) ? `${fmtRatio(vsWrk)} (${fmt(ours!.rps)} vs ${fmt(wrkSeries!.rps)} req/s)` : `wrk not run: ${wrkSeries!.skipped}`,
        met: Number.isFinite(vsWrk) ? vsWrk >= 0.8 : null,
        why: Number.isFinite(vsWrk)
          ? `CPU per request: ours ${fmt(ours!.cpu_us_per_req, 1)} µs, wrk ${fmt(wrkSeries!.cpu_us_per_req, 1)} µs; with the target on the same two ` +
            "cores, the tool that spends less CPU per request leaves more to the target (see the profile)"
          : "",
      },
    ];
    const markdown = [
      pinned.markdown,
      "",
      "**Everything on one box** (the Bun target, the tool and the bench share every core, unpinned): " +
        `${ctx.repeats} run(s) of ${ctx.duration_s} s per tool, tools alternated each round, medians shown; ` +
        `same target process, ${HEADLINE_CONNECTIONS} connections, GET ${spec.url}. wrk runs with -t${WRK_THREADS}. ` +
        `"target saw" is the target's own /ping response count over the run (cross-check). CPU µs/req is the tool ` +
        "process's user + system time (every thread, startup included) per response: on a shared machine it is steadier than req/s.",
      "",
      throughputTable(series, ourDriver.name),
    ].join("\n");
    return { id: "throughput", title: this.title, markdown, verdicts: [...pinned.verdicts, ...verdicts] };
  },
};
