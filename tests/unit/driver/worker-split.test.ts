import { describe, expect, test } from "bun:test";
import type { RunPlan } from "../../../src/driver/run-plan.ts";
import { TsunamiPacer } from "../../../src/driver/pacing/tsunami.ts";
import { TokenBucket } from "../../../src/driver/token-bucket.ts";
import { parseWorkers, shareOf, splitPlan, workersFor } from "../../../src/driver/worker-split.ts";

const plan = (fields: Partial<RunPlan> = {}): RunPlan => ({
  testId: "t1", mode: "AVALANCHE", url: "http://127.0.0.1:1/", count: 100, delayMs: 0, concurrency: 64, timeoutMs: 10_000, ...fields,
});

describe("workersFor", () => {
  test("caps the requested workers by the concurrency and the count, never below 1", () => {
    expect(workersFor(4, plan({ concurrency: 2 }))).toBe(2);
    expect(workersFor(8, plan({ count: 3, concurrency: 3 }))).toBe(3);
    expect(workersFor(3, plan({ count: 7, concurrency: 7 }))).toBe(3);
    expect(workersFor(1, plan())).toBe(1);
    expect(workersFor(4, plan({ count: 1, concurrency: 1 }))).toBe(1);
  });
});

describe("splitPlan", () => {
  test("splits count 7 over 3 workers as 3, 2, 2: the sends 0,3,6 / 1,4 / 2,5", () => {
    const shares = splitPlan(plan({ count: 7, concurrency: 7 }), 1_000, 3);
    expect(shares.map((s) => s.plan.count)).toEqual([3, 2, 2]);
    expect(shares.map((s) => s.plan.concurrency)).toEqual([3, 2, 2]);
    expect(shares.reduce((sum, s) => sum + s.plan.count, 0)).toBe(7);
  });

  test("splits concurrency 2 over 4 requested workers into 2 workers of 1 slot each", () => {
    const p = plan({ count: 10, concurrency: 2 });
    const n = workersFor(4, p);
    const shares = splitPlan(p, 0, n);
    expect(shares.map((s) => [s.plan.count, s.plan.concurrency])).toEqual([[5, 1], [5, 1]]);
  });

  test("every count and concurrency sums back exactly for awkward sizes, each worker at least one slot", () => {
    for (const count of [1, 2, 7, 10, 99, 1_001, 10_007]) {
      for (const concurrency of [1, 2, 3, 5, 64, 1_000]) {
        for (const requested of [1, 2, 3, 4, 7, 16]) {
          const p = plan({ count, concurrency: Math.min(concurrency, count) });
          const n = workersFor(requested, p);
          const shares = splitPlan(p, 0, n);
          expect(shares.reduce((sum, s) => sum + s.plan.count, 0)).toBe(count);
          expect(shares.reduce((sum, s) => sum + s.plan.concurrency, 0)).toBe(p.concurrency);
          for (const s of shares) {
            expect(s.plan.concurrency).toBeGreaterThanOrEqual(1);
            expect(s.plan.concurrency).toBeLessThanOrEqual(s.plan.count);
          }
        }
      }
    }
  });

  test("a TSUNAMI split keeps the global spacing: worker k's send j is due at start + (k + j·N)·delay", () => {
    const p = plan({ mode: "TSUNAMI", count: 11, delayMs: 10, concurrency: 11 });
    const shares = splitPlan(p, 500, 3);
    const due = shares.flatMap((s) => {
      const schedule = new TsunamiPacer(s.startMs, s.plan.delayMs);
      return Array.from({ length: s.plan.count }, (_, j) => schedule.dueAt(j));
    });
    const single = new TsunamiPacer(500, 10);
    expect(due.sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => single.dueAt(i)));
  });

  test("a throughput cap splits as rate/N with the workers' first tokens interleaved", () => {
    const p = plan({ count: 12, concurrency: 12, throughput: 300 });
    const shares = splitPlan(p, 0, 3);
    expect(shares.map((s) => s.plan.throughput)).toEqual([100, 100, 100]);
    expect(shares.map((s) => s.startMs)).toEqual([0, 1000 / 300, 2000 / 300]);
    // Each worker's bucket, drained as fast as it allows: 12 tokens at the single bucket's times.
    const times = shares.flatMap((s) => {
      const bucket = new TokenBucket({ ratePerSec: s.plan.throughput!, startMs: s.startMs });
      const at: number[] = [];
      let now = s.startMs;
      while (at.length < s.plan.count) {
        const wait = bucket.take(now);
        if (wait === 0) at.push(now);
        else now += wait;
      }
      return at;
    });
    const sortedTimes = times.sort((a, b) => a - b);
    sortedTimes.forEach((t, i) => expect(t).toBeCloseTo((i * 1000) / 300, 6));
  });

  test("refuses a worker index outside 0..N-1", () => {
    expect(() => shareOf(plan(), 0, 2, 2)).toThrow(RangeError);
    expect(() => shareOf(plan(), 0, 0, 0)).toThrow(RangeError);
  });
});

describe("parseWorkers", () => {
  test("takes a whole number, auto for the cores, 1 when unset, and names the flag otherwise", () => {
    expect(parseWorkers(undefined, 8)).toBe(1);
    expect(parseWorkers("4", 8)).toBe(4);
    expect(parseWorkers("auto", 8)).toBe(8);
    expect(parseWorkers("auto", 0)).toBe(1);
    for (const bad of ["0", "-1", "1.5", "", "two", "257"]) expect(parseWorkers(bad, 8)).toContain("--workers");
  });
});
