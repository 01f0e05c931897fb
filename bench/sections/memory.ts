import type { DriverNodeResult } from "../children/driver-node.ts";
import { runDriverNode } from "../peers/driver.ts";
import { rssSlopeMbPerMin, sampleRss, type RssSample } from "../rss-sampler.ts";
import type { BenchContext, Section, SectionReport, Verdict } from "../section.ts";
import { fmt, markdownTable } from "../table.ts";

/** RSS must stay under this for the whole run. */
export const RSS_LIMIT_MB = 150;
/**
 * "Flat": the RSS trend after warm-up (least-squares slope × time) adds at most this much over
 * the run. The garbage collector's sawtooth around the trend is shown, not judged.
 */
export const FLAT_GROWTH_MB = 10;

/** Memory of one driver sending 10 million requests (quick: 300 thousand), RSS sampled every second from outside. */
export const memorySection: Section = {
  id: "memory",
  title: "Driver memory over 10 million requests",
  async run(ctx: BenchContext): Promise<SectionReport> {
    const count = ctx.quick ? 300_000 : 10_000_000;
    const warmupS = ctx.quick ? 2 : 10;
    const limitS = ctx.quick ? 60 : 480;
    let sampler: { stop(): RssSample[] } | null = null;
    let result: DriverNodeResult | null = null;
    let failure: string | null = null;
    try {
      result = await runDriverNode(
        { url: ctx.target.pingUrl, mode: "AVALANCHE", count, concurrency: 64, stop_after_ms: limitS * 1000 },
        { timeoutMs: limitS * 1000 + 60_000, onSpawn: (proc) => (sampler = sampleRss(proc.pid)) },
      );
    } catch (error) {
      failure = (error as Error).message;
    }
    const samples = (sampler as { stop(): RssSample[] } | null)?.stop() ?? [];
    const after = samples.filter((s) => s.t_s >= warmupS);
    const atWarm = after[0]?.rss_mb ?? NaN;
    const max = Math.max(...samples.map((s) => s.rss_mb));
    const maxAfter = Math.max(...after.map((s) => s.rss_mb));
    const last = samples.at(-1)?.rss_mb ?? NaN;
    const minAfter = Math.min(...after.map((s) => s.rss_mb));
    const slope = rssSlopeMbPerMin(after);
    const spanMin = after.length > 1 ? (after.at(-1)!.t_s - after[0]!.t_s) / 60 : NaN;
    const trend = slope * spanMin;
    const sent = result?.counts.sent ?? 0;
    ctx.progress(`  memory: ${sent} sent in ${fmt((result?.elapsed_ms ?? 0) / 1000, 1)} s; RSS warm ${fmt(atWarm, 1)} MB, max ${fmt(max, 1)} MB, last ${fmt(last, 1)} MB`);
    const step = Math.max(1, Math.ceil(samples.length / 12));
    const rows = samples.filter((_, i) => i % step === 0 || i === samples.length - 1).map((s) => [fmt(s.t_s, 0), fmt(s.rss_mb, 1)]);
    const completed = sent >= count;
    const verdicts: Verdict[] = [
      {
        target: `driver RSS < ${RSS_LIMIT_MB} MB over ${fmt(count)} requests`,
        figure: `max ${fmt(max, 1)} MB${completed ? "" : ` (only ${fmt(sent)} of ${fmt(count)} sent within ${limitS} s)`}`,
        met: failure !== null ? false : max < RSS_LIMIT_MB && completed,
        why: failure ?? (completed ? "" : "the run hit its time bound before the count"),
      },
      {
        target: `driver RSS flat after warm-up (trend ≤ ${FLAT_GROWTH_MB} MB over the run after ${warmupS} s)`,
        figure:
          `trend ${fmt(slope, 2)} MB/min × ${fmt(spanMin, 1)} min = ${trend >= 0 ? "+" : ""}${fmt(trend, 1)} MB; ` +
          `${fmt(atWarm, 1)} MB at ${warmupS} s, ${fmt(last, 1)} MB at the end, ${fmt(minAfter, 1)}–${fmt(maxAfter, 1)} MB between (GC sawtooth)`,
        met: Number.isFinite(trend) ? trend <= FLAT_GROWTH_MB : null,
        why: "",
      },
    ];
    const markdown = [
      `One driver (createDriver over the MemoryBus, reports every second), AVALANCHE, c=64, ${fmt(count)} requests: ` +
        `${fmt(sent)} sent in ${fmt((result?.elapsed_ms ?? NaN) / 1000, 1)} s (${fmt(sent / ((result?.elapsed_ms ?? NaN) / 1000))} req/s). ` +
        "RSS is VmRSS of the driver process read from /proc every second by the bench (the process includes the stand-in orchestrator's bus).",
      "",
      markdownTable([">t s", ">RSS MB"], rows),
    ].join("\n");
    return { id: "memory", title: this.title, markdown, verdicts };
  },
};
