import { comparePeers, type ToolSeries } from "../compare.ts";
import type { Peer } from "../load-result.ts";
import { autocannon } from "../peers/autocannon.ts";
import { bombardier } from "../peers/bombardier.ts";
import { driverPeer, ourDriver } from "../peers/driver.ts";
import { vegeta } from "../peers/vegeta.ts";
import { wrk } from "../peers/wrk.ts";
import { pinnedPart } from "../pinned-section.ts";
import type { BenchContext, Section, SectionReport, Verdict } from "../section.ts";
import { ratio } from "../summary.ts";
import { fmt, fmtRatio, markdownTable } from "../table.ts";

const LEVELS = [16, 64, 256, 1024] as const;
const BEFORE = driverPeer("ours, fetch (before)", "fetch");
const AFTER = driverPeer("ours, as wired (after)", "default");
const PEERS: readonly Peer[] = [BEFORE, AFTER, wrk];

/** Levels and tools of the pinned table (issue 16's parity levels). */
const PINNED_LEVELS = [16, 64, 256] as const;
const PINNED_PEERS: readonly Peer[] = [ourDriver, wrk, bombardier, vegeta, autocannon];

/**
 * Throughput against concurrency. Pinned (Go target and tool on disjoint cores) at 16/64/256:
 * our driver as wired vs wrk, bombardier, vegeta and autocannon, with the parity verdicts. Then
 * everything on one box at 16..1024: our driver on plain fetch (before) and as `bun run driver`
 * wires it (after), wrk for reference.
 */
export const concurrencySection: Section = {
  id: "concurrency",
  title: "Concurrency 16 / 64 / 256 / 1024",
  async run(ctx: BenchContext): Promise<SectionReport> {
    const pinned = await pinnedPart(ctx, PINNED_PEERS, PINNED_LEVELS, ourDriver, wrk);
    if (ctx.pinnedOnly) return { id: "concurrency", title: this.title, markdown: pinned.markdown, verdicts: pinned.verdicts };
    const rows: (string | number)[][] = [];
    const byLevel = new Map<number, ToolSeries[]>();
    for (const connections of LEVELS) {
      const series = await comparePeers(PEERS, { url: ctx.target.pingUrl, connections, duration_s: ctx.duration_s }, ctx.repeats, ctx.target, ctx.progress);
      byLevel.set(connections, series);
      for (const s of series) {
        rows.push([fmt(connections), s.name, s.skipped ?? fmt(s.rps), fmt(s.p50_ms, 2), fmt(s.p99_ms, 2), fmt(s.cpu_us_per_req, 1), s.errors + s.non_2xx > 0 ? `${s.errors} errors` : ""]);
      }
    }
    const at = (c: number, peer: Peer) => byLevel.get(c)?.find((s) => s.name === peer.name)?.rps ?? NaN;
    // "No collapse": at 256 and 1024 connections the driver keeps at least 0.8 of its own c=64
    // rate. wrk's ratio is shown beside it: what the target itself does with more connections.
    const keeps = (peer: Peer, c: number) => ratio(at(c, peer), at(64, peer));
    const cpu = (c: number, peer: Peer) => byLevel.get(c)?.find((s) => s.name === peer.name)?.cpu_us_per_req ?? NaN;
    const verdicts: Verdict[] = [256, 1024].map((c) => {
      const after = keeps(AFTER, c);
      return {
        target: `everything on one box: no collapse at c=${c}: ours keeps ≥ 0.8× its c=64 rate`,
        figure:
          `after ${fmtRatio(after)} of its c=64 rate (${fmt(at(c, AFTER))} vs ${fmt(at(64, AFTER))} req/s), wrk ${fmtRatio(keeps(wrk, c))}, ` +
          `before ${fmtRatio(keeps(BEFORE, c))} (${fmt(at(c, BEFORE))} vs ${fmt(at(64, BEFORE))})`,
        met: Number.isFinite(after) ? after >= 0.8 : null,
        why: `CPU per request after: ${fmt(cpu(64, AFTER), 1)} µs at c=64, ${fmt(cpu(c, AFTER), 1)} µs at c=${c} (before: ${fmt(cpu(64, BEFORE), 1)} → ${fmt(cpu(c, BEFORE), 1)} µs)`,
      };
    });
    const markdown = [
      pinned.markdown,
      "",
      "**Everything on one box** (the Bun target, the tool and the bench share every core, unpinned): " +
        `${ctx.repeats} run(s) of ${ctx.duration_s} s per tool and level, alternated, medians. "before" is the driver with Bun's fetch ` +
        "(64 idle keep-alive sockets per process in Bun 1.4: beyond that, connections churn); \"after\" is the driver as `bun run driver` wires it.",
      "",
      markdownTable([">connections", "tool", ">req/s", ">p50 ms", ">p99 ms", ">CPU µs/req", "notes"], rows),
    ].join("\n");
    return { id: "concurrency", title: this.title, markdown, verdicts: [...pinned.verdicts, ...verdicts] };
  },
};
