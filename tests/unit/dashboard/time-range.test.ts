import { expect, test } from "bun:test";
import type { SeriesPoint } from "../../../src/orchestrator/series.ts";
import { pointsInRange, rangeOf, renderRangeButtons, TIME_RANGES } from "../../../src/dashboard/client/time-range.ts";

const point = (t: number): SeriesPoint => ({
  t_s: t,
  total: { requests_per_s: t, sent: t, completed: t, errors: { status_4xx: 0, status_5xx: 0, timeout: 0, connection_error: 0, total: 0 }, late: 0, p50: 1, p90: 1, p95: 1, p99: 1, max: 1 },
  drivers: {},
});

test("a time range keeps the newest seconds of the series, counted back from its newest point (gaps included)", () => {
  const points = [...Array.from({ length: 7_200 }, (_, t) => point(t)).filter((p) => p.t_s % 1_000 !== 999)];
  expect(pointsInRange(points, null)).toBe(points);
  const lastHour = pointsInRange(points, 3_600);
  expect(lastHour[0]!.t_s).toBe(3_600);
  expect(lastHour.at(-1)!.t_s).toBe(7_199);
  expect(lastHour.every((p) => p.t_s >= 3_600)).toBe(true);
  expect(pointsInRange(points, 300).map((p) => p.t_s)).toEqual(Array.from({ length: 300 }, (_, i) => 6_900 + i).filter((t) => t !== 6_999));
  // Shorter than the range: everything.
  expect(pointsInRange(points.slice(0, 10), 300)).toEqual(points.slice(0, 10));
  expect(pointsInRange([], 300)).toEqual([]);
});

test("the selector marks the chosen range; a button's value names its range", () => {
  const html = renderRangeButtons(900);
  expect(html.match(/<button/g)!.length).toBe(TIME_RANGES.length);
  expect(html).toContain('data-range="900" class="on"');
  expect(html).toContain('data-range="all" class=""');
  expect([rangeOf("all"), rangeOf("3600"), rangeOf("300"), rangeOf("42"), rangeOf("")]).toEqual([null, 3_600, 300, undefined, undefined]);
});
