// The dashboard's time-range selector: the whole test, or only its newest minutes, so an
// hours-long test's charts can be read close up. Pure: points and a choice in, points or HTML out.
// Only the charts are cut: tiles and tables keep the whole test's figures (the merged digest).
import { escapeHtml } from "../../format/format.ts";
import type { SeriesPoint } from "../../orchestrator/series.ts";

/** The ranges offered, in seconds (null: the whole test). */
export const TIME_RANGES: readonly { label: string; seconds: number | null }[] = [
  { label: "all", seconds: null },
  { label: "last 1 h", seconds: 3_600 },
  { label: "last 15 min", seconds: 900 },
  { label: "last 5 min", seconds: 300 },
];

/** The points of the newest `seconds` of the series (counted back from its newest point); all when null. */
export function pointsInRange(points: readonly SeriesPoint[], seconds: number | null): readonly SeriesPoint[] {
  if (seconds === null || points.length === 0) return points;
  const newest = points[points.length - 1]!.t_s;
  const from = newest - seconds + 1;
  let i = points.length;
  while (i > 0 && points[i - 1]!.t_s >= from) i--;
  return points.slice(i);
}

/** The selector's buttons; the chosen one is marked `on`. */
export function renderRangeButtons(selected: number | null): string {
  return TIME_RANGES.map(
    (r) => `<button type="button" data-range="${r.seconds ?? "all"}" class="${r.seconds === selected ? "on" : ""}">${escapeHtml(r.label)}</button>`,
  ).join("");
}

/** The range a button's `data-range` names (null: all); undefined when it names none of TIME_RANGES. */
export function rangeOf(value: string): number | null | undefined {
  return TIME_RANGES.find((r) => String(r.seconds ?? "all") === value)?.seconds;
}
