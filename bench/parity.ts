/** The verdicts of issue 16 on a pinned level: ours ≥ 1.0× wrk's req/s and ≤ 1.1× its CPU per request (pure). */
import type { PinnedSeries } from "./pinned-compare.ts";
import type { Verdict } from "./section.ts";
import { ratio } from "./summary.ts";
import { fmt, fmtRatio } from "./table.ts";

/** Most CPU per request ours may spend against wrk's. */
export const MAX_CPU_VS_WRK = 1.1;

/** Req/s and CPU verdicts of ours against wrk at one pinned level; not measured when either is missing. */
export function parityVerdicts(connections: number, ours: PinnedSeries | undefined, wrk: PinnedSeries | undefined): Verdict[] {
  const missing = ours === undefined || ours.skipped !== null ? `ours not run: ${ours?.skipped ?? "absent"}` : wrk === undefined || wrk.skipped !== null ? `wrk not run: ${wrk?.skipped ?? "absent"}` : null;
  const rps = ratio(ours?.target_rps ?? NaN, wrk?.target_rps ?? NaN);
  const cpu = ratio(ours?.cpu_us_per_req ?? NaN, wrk?.cpu_us_per_req ?? NaN);
  return [
    {
      target: `pinned c=${connections}: ours ≥ 1.0× wrk's req/s (target's count)`,
      figure: missing ?? `${fmtRatio(rps)} (${fmt(ours!.target_rps)} vs ${fmt(wrk!.target_rps)} req/s)`,
      met: missing === null && Number.isFinite(rps) ? rps >= 1 : null,
      why: missing === null ? `target core ${fmt(ours!.load.targetCores * 100)}% busy with ours, ${fmt(wrk!.load.targetCores * 100)}% with wrk` : "",
    },
    {
      target: `pinned c=${connections}: ours ≤ ${MAX_CPU_VS_WRK}× wrk's CPU per request`,
      figure: missing ?? `${fmtRatio(cpu)} (${fmt(ours!.cpu_us_per_req, 1)} vs ${fmt(wrk!.cpu_us_per_req, 1)} µs)`,
      met: missing === null && Number.isFinite(cpu) ? cpu <= MAX_CPU_VS_WRK : null,
      why: missing === null ? `tool core: ours ${fmt(ours!.load.tool * 100)}%, wrk ${fmt(wrk!.load.tool * 100)}%` : "",
    },
  ];
}
