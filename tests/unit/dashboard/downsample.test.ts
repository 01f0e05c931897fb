import { describe, expect, test } from "bun:test";
import { lineChart } from "../../../src/dashboard/client/chart.ts";
import { downsampleLine, downsampleLines, MAX_LINE_POINTS } from "../../../src/dashboard/client/downsample.ts";

type Point = readonly [number, number | null];

/** A deterministic pseudo-random generator (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An hours-long per-second line: noise, rare spikes and dips, and gaps. */
function line(n: number, seed: number): Point[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, t) => {
    const u = r();
    if (u < 0.02) return [t, null] as const;
    if (u < 0.025) return [t, 500 + r() * 1000] as const; // a spike
    if (u < 0.03) return [t, r()] as const; // a dip
    return [t, 20 + r() * 10] as const;
  });
}

describe("min/max downsampling of chart lines", () => {
  test("a line that fits is left as it is", () => {
    const points = line(999, 1);
    expect(downsampleLine(points, 1000)).toEqual(points);
  });

  for (const [n, max, seed] of [[3_600, 1_000, 2], [86_400, 1_000, 3], [10_007, 301, 4], [5_000, 2, 5]] as const) {
    test(`${n} points to at most ${max}: every bucket keeps its min and its max, in order`, () => {
      const points = line(n, seed);
      const out = downsampleLine(points, max);
      expect(out.length).toBeLessThanOrEqual(max);
      // Kept points are original points, in their original order.
      const index = new Map(points.map((p, i) => [p, i]));
      const at = out.map((p) => index.get(p)!);
      expect(at.every((i) => i !== undefined)).toBe(true);
      expect(at).toEqual([...at].sort((a, b) => a - b));
      // Every bucket's extremes are among the kept points.
      const buckets = Math.floor(Math.max(2, max) / 2);
      const size = Math.ceil(n / buckets);
      const kept = new Set(at);
      for (let start = 0; start < n; start += size) {
        const values = points.slice(start, start + size).map((p) => p[1]).filter((y): y is number => y !== null);
        const keptValues = [...kept].filter((i) => i >= start && i < start + size).map((i) => points[i]![1]);
        if (values.length === 0) {
          expect(keptValues).toEqual([null]);
          continue;
        }
        expect(keptValues).toContain(Math.min(...values));
        expect(keptValues).toContain(Math.max(...values));
      }
      // So the whole line's extremes survive too: a one-second spike stays visible.
      const all = points.flatMap((p) => (p[1] === null ? [] : [p[1]]));
      const shown = out.flatMap((p) => (p[1] === null ? [] : [p[1]]));
      expect(Math.max(...shown)).toBe(Math.max(...all));
      expect(Math.min(...shown)).toBe(Math.min(...all));
    });
  }

  test("a bucket with no value stays a gap", () => {
    const points: Point[] = Array.from({ length: 40 }, (_, t) => [t, t >= 10 && t < 20 ? null : t]);
    const out = downsampleLine(points, 8);
    expect(out.some((p) => p[1] === null)).toBe(true);
  });

  test("downsampleLines keeps a line's name and colour", () => {
    const [out] = downsampleLines([{ name: "p99", color: "#f00", points: line(5_000, 6) }]);
    expect(out!.name).toBe("p99");
    expect(out!.color).toBe("#f00");
    expect(out!.points.length).toBeLessThanOrEqual(MAX_LINE_POINTS);
  });

  test("a chart of a day-long line draws at most MAX_LINE_POINTS points, spike included, over the whole time axis", () => {
    const points = line(86_400, 7).map(([t, y]) => [t, y === null ? null : Math.min(y, 100)] as const);
    points[43_210] = [43_210, 9_000];
    const svg = lineChart([{ name: "p99", color: "#f00", points }], { width: 600, height: 200 });
    const d = /<path d="([^"]+)"/.exec(svg)![1]!;
    const drawn = d.match(/[ML]/g)!.length;
    expect(drawn).toBeLessThanOrEqual(MAX_LINE_POINTS);
    // The y axis reaches the spike (ticks are round: 10k), and the x axis still ends at the last second.
    expect(svg).toContain(">10k<");
    expect(svg).toMatch(/>80k?s</);
  });
});
