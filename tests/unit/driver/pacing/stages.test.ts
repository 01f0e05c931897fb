import { describe, expect, test } from "bun:test";
import { DurationLimit } from "../../../../src/driver/pacing/duration-limit.ts";
import { endsBeforeCount, isPaced, pacerFor, type Pacer } from "../../../../src/driver/pacing/pacer.ts";
import { StagesPacer } from "../../../../src/driver/pacing/stages.ts";
import { plannedDurationMs, type RunPlan } from "../../../../src/driver/run-plan.ts";
import { splitPlan } from "../../../../src/driver/worker-split.ts";

const plan = (fields: Partial<RunPlan>): RunPlan => ({
  testId: "t1", mode: "AVALANCHE", url: "http://target/ping", count: 100_000_000, delayMs: 0, concurrency: 64, timeoutMs: 10_000, ...fields,
});

/** The ramp: 0 → 200/s over 5 s, then back to 0 over 5 s (integral 1,000 sends). */
const RAMP = [
  { durationMs: 5_000, target: 200 },
  { durationMs: 5_000, target: 0 },
];

/** Drives a pacer as the send loop does (time jumps to each ready time); the start times of its sends. */
function drive(pacer: Pacer, maxSends: number, nowMs = 0): number[] {
  const startedAt: number[] = [];
  for (let i = 0; i < maxSends; ) {
    const readyMs = pacer.readyAt(i, nowMs);
    if (readyMs === Infinity) break;
    if (readyMs > nowMs) {
      nowMs = readyMs;
      continue;
    }
    pacer.start(i, nowMs);
    startedAt.push(nowMs);
    i++;
  }
  return startedAt;
}

/** Sends per whole second from `originMs`. */
function perSecond(times: number[], originMs: number, seconds: number): number[] {
  const counts = new Array<number>(seconds).fill(0);
  for (const t of times) counts[Math.floor((t - originMs) / 1000)]!++;
  return counts;
}

describe("StagesPacer", () => {
  test("sends the ramp [5 s → 200/s, 5 s → 0]: each second within ±2% or ±3 of the ramp's integral, 1,000 in all", () => {
    const times = drive(new StagesPacer(1_000, RAMP), 2_000, 1_000);
    // The ramp's integral over second s: 40/s² rising (20, 60, ..., 180), then falling back.
    const planned = [20, 60, 100, 140, 180, 180, 140, 100, 60, 20];
    const got = perSecond(times, 1_000, 10);
    got.forEach((n, s) => expect(Math.abs(n - planned[s]!)).toBeLessThanOrEqual(Math.max(3, planned[s]! * 0.02)));
    expect(times.length).toBe(1_000);
    expect(times[0]).toBe(1_000);
    expect(times.at(-1)!).toBeLessThan(11_000);
  });

  test("puts send g where the integral reaches g, in closed form: 0 → 200/s over 5 s is ∫ = 20·t², so send 80 at 2 s", () => {
    const pacer = new StagesPacer(0, RAMP);
    expect(pacer.dueAt(0)).toBe(0);
    expect(pacer.dueAt(20)).toBeCloseTo(1_000, 9);
    expect(pacer.dueAt(80)).toBeCloseTo(2_000, 9);
    expect(pacer.dueAt(500)).toBeCloseTo(5_000, 9);
    // Falling: ∫ from 5 s = 500 + 200·u − 20·u², so send 680 at u = 1 s.
    expect(pacer.dueAt(680)).toBeCloseTo(6_000, 9);
    expect(pacer.dueAt(999)).toBeLessThan(10_000);
    expect(pacer.dueAt(1_000)).toBe(Infinity);
  });

  test("a constant stage spaces sends exactly 1/rate apart, from start_throughput, and a 0/s stage pauses", () => {
    const pacer = new StagesPacer(0, [{ durationMs: 1_000, target: 100 }, { durationMs: 2_000, target: 0 }, { durationMs: 1_000, target: 0 }, { durationMs: 1_000, target: 50 }], 100);
    expect([0, 1, 99].map((i) => pacer.dueAt(i))).toEqual([0, 10, 990]);
    // 0 → 0 over 1 s sends nothing: the ramp to 50/s begins at 4 s.
    const times = drive(pacer, 1_000);
    expect(times.filter((t) => t >= 3_000 && t < 4_000)).toEqual([]);
    expect(times.filter((t) => t >= 4_000)[0]).toBe(4_000);
  });

  test("does not drift over a day of 1,000/s: each due time is solved from the absolute start", () => {
    const pacer = new StagesPacer(0, [{ durationMs: 86_400_000, target: 1_000 }], 1_000);
    expect(pacer.dueAt(86_399_999)).toBeCloseTo(86_399_999, 3);
    expect(pacer.dueAt(86_400_000)).toBe(Infinity);
  });

  test("takes the test's send seqOffset + i × seqStride", () => {
    const whole = new StagesPacer(0, RAMP);
    const share = new StagesPacer(0, RAMP, 0, 2, 3);
    expect([0, 1, 2].map((i) => share.dueAt(i))).toEqual([2, 5, 8].map((g) => whole.dueAt(g)));
  });
});

describe("DurationLimit", () => {
  test("cuts an AVALANCHE at start + duration: no send starts at or after the end", () => {
    const pacer = pacerFor(plan({ durationMs: 1_000 }), 500);
    expect(pacer).toBeInstanceOf(DurationLimit);
    expect(pacer.readyAt(0, 500)).toBe(500);
    expect(pacer.readyAt(7, 1_499.9)).toBe(500);
    expect(pacer.readyAt(7, 1_500)).toBe(Infinity);
  });

  test("cuts TSUNAMI, a throughput cap and stages at the end, keeping their spacing before it", () => {
    expect(drive(pacerFor(plan({ mode: "TSUNAMI", delayMs: 100, durationMs: 1_000 }), 0), 100)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(drive(pacerFor(plan({ throughput: 10, durationMs: 1_000 }), 0), 100)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    // 5 s of the ramp: ∫ = 500 sends, the 501st is due at 5 s exactly, the end: cut.
    expect(drive(pacerFor(plan({ stages: RAMP, durationMs: 5_000 }), 0), 2_000).length).toBe(500);
  });

  test("ends a schedule shorter than the duration at its own end (the count, or the stages, come first)", () => {
    expect(drive(pacerFor(plan({ mode: "TSUNAMI", delayMs: 10, durationMs: 60_000 }), 0), 5)).toHaveLength(5);
    expect(drive(pacerFor(plan({ stages: RAMP, durationMs: 60_000 }), 0), 5_000)).toHaveLength(1_000);
  });
});

describe("pacerFor with stages", () => {
  test("stages win over TSUNAMI's delay; a throughput cap still applies and what it holds past the stages' end is not sent", () => {
    expect(drive(pacerFor(plan({ mode: "TSUNAMI", delayMs: 1, stages: RAMP }), 0), 5_000)).toEqual(drive(new StagesPacer(0, RAMP), 5_000));
    // 1,000/s for 1 s under a 100/s cap: about 100 sends in that second, the rest dropped at its end.
    const capped = drive(pacerFor(plan({ stages: [{ durationMs: 1_000, target: 1_000 }], startThroughput: 1_000, throughput: 100 }), 0), 10_000);
    expect(capped.length).toBeLessThanOrEqual(101);
    expect(capped.length).toBeGreaterThanOrEqual(99);
  });

  test("stages are paced and end before the count; a plain AVALANCHE is neither", () => {
    expect([isPaced(plan({ stages: RAMP })), endsBeforeCount(plan({ stages: RAMP })), endsBeforeCount(plan({ durationMs: 1 }))]).toEqual([true, true, true]);
    expect([isPaced(plan({})), endsBeforeCount(plan({}))]).toEqual([false, false]);
  });
});

describe("worker shares of stages", () => {
  test("n shares run from the same start and together make exactly the whole's schedule", () => {
    const whole = plan({ stages: RAMP, concurrency: 64 });
    const single = drive(pacerFor(whole, 1_000), 5_000, 1_000);
    for (const n of [2, 3, 7]) {
      const shares = splitPlan(whole, 1_000, n);
      expect(shares.map((s) => s.startMs)).toEqual(new Array(n).fill(1_000));
      const merged = shares.flatMap((s) => drive(pacerFor(s.plan, s.startMs), s.plan.count, s.startMs)).sort((a, b) => a - b);
      expect(merged).toEqual(single);
    }
  });

  test("shares of a count-limited ramp send the count's first sends of the whole", () => {
    const whole = plan({ stages: RAMP, count: 101, concurrency: 8 });
    const single = drive(pacerFor(whole, 0), whole.count);
    const merged = splitPlan(whole, 0, 4).flatMap((s) => drive(pacerFor(s.plan, s.startMs), s.plan.count)).sort((a, b) => a - b);
    expect(single).toHaveLength(101);
    expect(merged).toEqual(single);
  });

  test("shifted shares (TSUNAMI, a cap) shorten their duration by the shift, so every share ends at start + duration", () => {
    const tsunami = plan({ mode: "TSUNAMI", delayMs: 100, durationMs: 1_000, concurrency: 8 });
    const single = drive(pacerFor(tsunami, 0), 100);
    const merged = splitPlan(tsunami, 0, 3).flatMap((s) => drive(pacerFor(s.plan, s.startMs), s.plan.count, s.startMs)).sort((a, b) => a - b);
    expect(merged).toEqual(single);
    const shares = splitPlan(plan({ throughput: 300, durationMs: 1_000, concurrency: 8 }), 0, 3);
    expect(shares.map((s) => s.startMs + s.plan.durationMs!)).toEqual([1_000, 1_000, 1_000]);
    expect(shares.map((s) => [s.plan.seqOffset, s.plan.seqStride])).toEqual([[0, 3], [1, 3], [2, 3]]);
  });
});

describe("plannedDurationMs", () => {
  test("is the stages' sum, a TSUNAMI schedule or an AVALANCHE's duration, cut at the duration", () => {
    expect(plannedDurationMs(plan({ stages: RAMP }))).toBe(10_000);
    expect(plannedDurationMs(plan({ stages: RAMP, durationMs: 4_000 }))).toBe(4_000);
    expect(plannedDurationMs(plan({ durationMs: 3_000 }))).toBe(3_000);
    expect(plannedDurationMs(plan({ mode: "TSUNAMI", count: 11, delayMs: 10, durationMs: 50 }))).toBe(50);
    expect(plannedDurationMs(plan({ mode: "TSUNAMI", count: 11, delayMs: 10 }))).toBe(100);
    expect(plannedDurationMs(plan({}))).toBeNull();
  });
});
