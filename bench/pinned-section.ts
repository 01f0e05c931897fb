/** The pinned part of the throughput and concurrency sections: tables and parity verdicts per level. */
import type { Peer } from "./load-result.ts";
import { comparePinned, type PinnedSeries } from "./pinned-compare.ts";
import { parityVerdicts } from "./parity.ts";
import { pinnedPreamble, pinnedRows, pinnedTable } from "./pinned-table.ts";
import type { BenchContext, Verdict } from "./section.ts";

/** Markdown and verdicts of the pinned comparison at `levels` (a note when there is no pinned target). */
export async function pinnedPart(ctx: BenchContext, peers: readonly Peer[], levels: readonly number[], ours: Peer, wrk: Peer): Promise<{ markdown: string; verdicts: Verdict[] }> {
  const target = ctx.pinned ?? null;
  if (target === null) {
    const why = ctx.pinnedSkip ?? "no pinned target";
    return {
      markdown: `**Pinned**: not run: ${why}.`,
      verdicts: levels.map((c) => ({ target: `pinned c=${c}: ours ≥ 1.0× wrk's req/s`, figure: "not run", met: null, why })),
    };
  }
  const rows: string[][] = [];
  const verdicts: Verdict[] = [];
  for (const connections of levels) {
    ctx.progress(`pinned c=${connections}: ${peers.map((p) => p.name).join(", ")}; ${ctx.repeats}× ${ctx.duration_s} s, alternated`);
    const series: PinnedSeries[] = await comparePinned(peers, { url: target.pingUrl, connections, duration_s: ctx.duration_s }, ctx.repeats, target, ctx.progress);
    rows.push(...pinnedRows(connections, series, ours.name));
    verdicts.push(...parityVerdicts(connections, series.find((s) => s.name === ours.name), series.find((s) => s.name === wrk.name)));
  }
  return { markdown: [pinnedPreamble(target.description, ctx.repeats, ctx.duration_s), "", pinnedTable(rows)].join("\n"), verdicts };
}
