// The planned requests/s beside the achieved ones on the rate chart (issue 11). Pure.
import type { RateLine } from "../../orchestrator/planned-rate.ts";
import { integrate } from "../../orchestrator/planned-rate.ts";
import type { SeriesPoint } from "../../orchestrator/series.ts";
import type { ChartLine } from "./chart.ts";

/** Colour of the planned-rate line (dashed). */
export const PLANNED_COLOR = "#e879f9";

/**
 * The test's planned requests/s (`TestView.planned_rps`) as a dashed chart line, one value a
 * second: the planned sends in `[t_s, t_s + 1)`, as the achieved line counts its seconds. It
 * covers the shown points' seconds, and when `wholeTest` the whole plan too (a ramp shows ahead
 * of the test). No line (an empty list) when the test plans no rate.
 */
export function plannedLines(planned: RateLine | undefined, points: readonly SeriesPoint[], wholeTest: boolean): ChartLine[] {
  if (planned === undefined || planned.length === 0) return [];
  const seconds = new Set(points.map((p) => p.t_s));
  if (wholeTest) {
    const endS = Math.ceil(planned[planned.length - 1]![0]);
    for (let s = 0; s < endS; s++) seconds.add(s);
  }
  const sorted = [...seconds].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const round = (x: number) => Math.round(x * 10) / 10;
  return [{ name: "planned", color: PLANNED_COLOR, dashed: true, width: 2, points: sorted.map((s) => [s, round(integrate(planned, s, s + 1))] as const) }];
}
