// Min/max decimation of a chart line: an hours-long test has tens of thousands of seconds, far
// more than a chart has pixels. Each bucket of consecutive points keeps its lowest and highest
// point (in their original order), so a one-second spike stays visible however long the test.
// Pure: points in, points out. Only for drawing: whole-test figures come from the merged digest.
import type { ChartLine } from "./chart.ts";

/** Points a chart line keeps at most (two per bucket: its minimum and its maximum). */
export const MAX_LINE_POINTS = 1_000;

type Point = ChartLine["points"][number];

const real = (p: Point): p is readonly [number, number] => p[1] !== null && Number.isFinite(p[1]);

/**
 * At most `maxPoints` of `points`: unchanged when they fit; else split into `maxPoints / 2`
 * buckets of consecutive points, each keeping its first minimum and first maximum in their
 * original order (one point when they are the same), or, when the bucket has no value at all,
 * its first point (a null y: the gap stays a gap).
 */
export function downsampleLine(points: readonly Point[], maxPoints = MAX_LINE_POINTS): Point[] {
  const limit = Math.max(2, Math.floor(maxPoints));
  if (points.length <= limit) return [...points];
  const buckets = Math.floor(limit / 2);
  const size = Math.ceil(points.length / buckets);
  const out: Point[] = [];
  for (let start = 0; start < points.length; start += size) {
    const end = Math.min(points.length, start + size);
    let lo = -1;
    let hi = -1;
    for (let i = start; i < end; i++) {
      const p = points[i]!;
      if (!real(p)) continue;
      if (lo < 0 || p[1] < points[lo]![1]!) lo = i;
      if (hi < 0 || p[1] > points[hi]![1]!) hi = i;
    }
    if (lo < 0) out.push(points[start]!);
    else if (lo === hi) out.push(points[lo]!);
    else out.push(points[Math.min(lo, hi)]!, points[Math.max(lo, hi)]!);
  }
  return out;
}

/** Every line of a chart decimated to at most `maxPoints` points (see {@link downsampleLine}). */
export function downsampleLines(lines: readonly ChartLine[], maxPoints = MAX_LINE_POINTS): ChartLine[] {
  return lines.map((line) => (line.points.length <= maxPoints ? line : { ...line, points: downsampleLine(line.points, maxPoints) }));
}
