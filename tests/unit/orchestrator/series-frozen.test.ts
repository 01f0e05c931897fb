import { describe, expect, test } from "bun:test";
import { FrozenPoints } from "../../../src/orchestrator/series-frozen.ts";
import type { SeriesPoint, SeriesSample } from "../../../src/orchestrator/series.ts";
import { rng } from "../../helpers/rng.ts";

const sample = (r: () => number, extra: boolean): SeriesSample => {
  const e = [0, 1, 2, 3].map(() => Math.floor(r() * 5));
  const latency = r() < 0.8;
  return {
    requests_per_s: Math.round(r() * 100_000) / 10,
    sent: Math.floor(r() * 1e6),
    completed: Math.floor(r() * 1e6),
    errors: { status_4xx: e[0]!, status_5xx: e[1]!, timeout: e[2]!, connection_error: e[3]!, total: e[0]! + e[1]! + e[2]! + e[3]! },
    late: Math.floor(r() * 10),
    p50: latency ? r() * 10 : null,
    p90: latency ? r() * 20 : null,
    p95: latency ? r() * 30 : null,
    p99: latency ? r() * 1e3 : null,
    // A late window into a closed second can set max without quantiles (series-cells.ts addToFrozen).
    max: latency || r() < 0.5 ? r() * 1e4 : null,
    ...(extra ? { bytes_sent: Math.floor(r() * 1e9), bytes_received: Math.floor(r() * 1e9), check_failed: Math.floor(r() * 3) } : {}),
  };
};

describe("closed seconds held in columns", () => {
  test("every point reads back exactly as stored (figures, nulls, optional fields, drivers and their order), in any insertion order, replaced or not", () => {
    const r = rng(7);
    const frozen = new FrozenPoints();
    const reference = new Map<number, SeriesPoint>();
    const names = ["d3", "d1", "d2", "d10"];
    // Mostly ascending seconds (as a running test freezes them), some out of order and some replaced.
    const seconds = [...Array.from({ length: 3_000 }, (_, i) => i * 2), 1, 5, 999, -0, 0, 4, 5_999, 6_001, 3_333];
    for (const t of seconds) {
      const extra = r() < 0.3;
      const drivers = Object.fromEntries(names.filter(() => r() < 0.8).sort(() => r() - 0.5).map((n) => [n, sample(r, extra)]));
      const point: SeriesPoint = { t_s: t, total: sample(r, extra), drivers };
      frozen.set(point);
      reference.set(t, structuredClone(point));
    }
    expect(frozen.size).toBe(reference.size);
    for (const [t, point] of reference) {
      const read = frozen.get(t)!;
      expect(read).toEqual(point);
      expect(JSON.stringify(read)).toBe(JSON.stringify(point));
    }
    expect(frozen.get(7)).toBeUndefined();
    const sorted = [...reference.keys()].sort((a, b) => a - b);
    expect(frozen.secondsIn(-Infinity, Infinity)).toEqual(sorted);
    expect(frozen.secondsIn(10, 20)).toEqual(sorted.filter((t) => t >= 10 && t <= 20));
  });

  test("a point replaced with the same drivers is rewritten in place (a behind clock's windows all land in second 0); another driver set takes new rows", () => {
    const r = rng(3);
    const frozen = new FrozenPoints();
    const pointOf = (names: string[]): SeriesPoint => ({ t_s: 0, total: sample(r, false), drivers: Object.fromEntries(names.map((n) => [n, sample(r, false)])) });
    frozen.set(pointOf(["d1", "d2"]));
    frozen.set({ ...pointOf(["d1"]), t_s: 1 });
    expect(frozen.rowsUsed).toBe(5);
    let last = pointOf(["d1", "d2"]);
    for (let i = 0; i < 1_000; i++) frozen.set((last = pointOf(["d1", "d2"])));
    expect(frozen.rowsUsed).toBe(5);
    expect(frozen.get(0)).toEqual(last);
    // Another order or another driver: new rows, and the point reads back as given.
    const reordered = pointOf(["d2", "d1"]);
    frozen.set(reordered);
    expect(frozen.rowsUsed).toBe(8);
    expect(Object.keys(frozen.get(0)!.drivers)).toEqual(["d2", "d1"]);
    const wider = pointOf(["d2", "d1", "d3"]);
    frozen.set(wider);
    expect(frozen.rowsUsed).toBe(12);
    expect(frozen.get(0)).toEqual(wider);
    expect(frozen.get(1)!.drivers.d1).toBeDefined();
  });
});
