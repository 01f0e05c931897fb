/** The pinned part of the throughput and concurrency sections: tables and parity verdicts per level. */
import type { Peer } from "./load-result.ts";
import { baselineDriver } from "./peers/driver.ts";
import { wrkOurHeaders } from "./peers/wrk.ts";
import { comparePinned, type PinnedSeries } from "./pinned-compare.ts";
import { parityVerdicts } from "./parity.ts";
import { pinnedPreamble, pinnedRows, pinnedTable } from "./pinned-table.ts";
import type { BenchContext, Verdict } from "./section.ts";

/** The `--peers` id of a tool of the pinned tables. */
export function peerId(peer: Peer, ours: Peer, wrk: Peer): string {
  if (peer === ours) return "ours";
  if (peer === wrk) return "wrk";
  return peer.name === "bare fetch" ? "fetch" : peer.name;
}

/** Markdown and verdicts of the pinned comparison at `levels` (a note when there is no pinned target). */
export async function pinnedPart(ctx: BenchContext, allPeers: readonly Peer[], levels: readonly number[], ours: Peer, wrk: Peer): Promise<{ markdown: string; verdicts: Verdict[] }> {
  const target = ctx.pinned ?? null;
  if (target === null) {
    const why = ctx.pinnedSkip ?? "no pinned target";
    return {
      markdown: `**Pinned**: not run: ${why}.`,
      verdicts: levels.map((c) => ({ target: `pinned c=${c}: ours ≥ 1.0× wrk's req/s`, figure: "not run", met: null, why })),
    };
  }
  const named = ctx.peers?.includes("wrk-our-headers") ? [wrkOurHeaders] : [];
  const peers = [...allPeers.filter((p) => ctx.peers == null || ctx.peers.includes(peerId(p, ours, wrk))), ...named, ...(ctx.baselines ?? []).map(baselineDriver)];
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
