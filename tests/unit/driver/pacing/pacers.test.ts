import { describe, expect, test } from "bun:test";
import { AvalanchePacer } from "../../../../src/driver/pacing/avalanche.ts";
import { pacerFor, type Pacer } from "../../../../src/driver/pacing/pacer.ts";
import { ThroughputCap } from "../../../../src/driver/pacing/throughput-cap.ts";
import { TsunamiPacer } from "../../../../src/driver/pacing/tsunami.ts";
import type { RunPlan } from "../../../../src/driver/run-plan.ts";
import { TokenBucket } from "../../../../src/driver/token-bucket.ts";

const plan = (fields: Partial<RunPlan>): RunPlan => ({
  testId: "t1", mode: "AVALANCHE", url: "http://target/ping", count: 10, delayMs: 0, concurrency: 64, timeoutMs: 10_000, ...fields,
});

/**
 * Drives a pacer as the send loop does, with time as a plain number: asks when send i is ready,
 * jumps there when it lies ahead, starts it when it is due. Returns each send's start and due time.
 */
function drive(pacer: Pacer, count: number, nowMs = 0): { startedAt: number[]; dueAt: number[] } {
  const startedAt: number[] = [];
  const dueAt: number[] = [];
  for (let i = 0; i < count; ) {
    const readyMs = pacer.readyAt(i, nowMs);
    if (readyMs === Infinity) break;
    if (readyMs > nowMs) {
      nowMs = readyMs;
      continue;
    }
    dueAt.push(pacer.start(i, nowMs));
    startedAt.push(nowMs);
    i++;
  }
  return { startedAt, dueAt };
}

describe("AvalanchePacer", () => {
  test("lets every send start from the start time on, with no due time", () => {
    const pacer = new AvalanchePacer(500);
    expect([0, 1, 1_000].map((i) => pacer.readyAt(i, 0))).toEqual([500, 500, 500]);
    expect(drive(pacer, 3)).toEqual({ startedAt: [500, 500, 500], dueAt: [NaN, NaN, NaN] });
  });
});

describe("TsunamiPacer", () => {
  test("puts send i at start + i × delay", () => {
    const schedule = new TsunamiPacer(1_000, 10);
    expect([0, 1, 2, 49].map((i) => schedule.dueAt(i))).toEqual([1_000, 1_010, 1_020, 1_490]);
  });

  test("does not drift over a million sends where adding delays up would", () => {
    const schedule = new TsunamiPacer(0, 0.1);
    let summed = 0;
    for (let i = 0; i < 1_000_000; i++) summed += 0.1;
    expect(schedule.dueAt(1_000_000)).toBe(100_000);
    expect(summed).not.toBe(100_000);
  });
});

describe("TsunamiPacer as a pacer", () => {
  test("holds each send until its due time and gives that time as the due time", () => {
    const pacer = new TsunamiPacer(100, 10);
    expect(pacer.readyAt(3, 0)).toBe(130);
    expect(drive(pacer, 4)).toEqual({ startedAt: [100, 110, 120, 130], dueAt: [100, 110, 120, 130] });
  });

  test("a send started late keeps its own due time, so its lateness is measured (coordinated omission)", () => {
    const pacer = new TsunamiPacer(0, 10);
    expect(pacer.readyAt(2, 57)).toBe(20);
    expect(pacer.start(2, 57)).toBe(20);
  });
});

describe("ThroughputCap", () => {
  test("spaces unpaced sends 1/rate apart from the start, with no opening burst", () => {
    const pacer = new ThroughputCap(new AvalanchePacer(1_000), new TokenBucket({ ratePerSec: 100, startMs: 1_000 }));
    expect(drive(pacer, 5)).toEqual({ startedAt: [1_000, 1_010, 1_020, 1_030, 1_040], dueAt: [NaN, NaN, NaN, NaN, NaN] });
  });

  test("holds a schedule faster than the rate to the rate, each send late from its own due time", () => {
    const pacer = new ThroughputCap(new TsunamiPacer(0, 1), new TokenBucket({ ratePerSec: 100, startMs: 0 }));
    expect(drive(pacer, 4)).toEqual({ startedAt: [0, 10, 20, 30], dueAt: [0, 1, 2, 3] });
  });

  test("waits for the schedule without touching the bucket, then for a token", () => {
    const bucket = new TokenBucket({ ratePerSec: 10, startMs: 0 });
    const pacer = new ThroughputCap(new TsunamiPacer(0, 50), bucket);
    expect(pacer.start(0, 0)).toBe(0);
    // Send 1 is due at 50 and its token comes at 100: asked before 50 the answer is the due time.
    expect(pacer.readyAt(1, 10)).toBe(50);
    expect(pacer.readyAt(1, 60)).toBe(100);
    expect(pacer.readyAt(1, 100)).toBe(50);
  });

  test("asking does not take a token: only a started send does", () => {
    const pacer = new ThroughputCap(new AvalanchePacer(0), new TokenBucket({ ratePerSec: 100, startMs: 0 }));
    expect([pacer.readyAt(0, 0), pacer.readyAt(0, 0), pacer.readyAt(0, 0)]).toEqual([0, 0, 0]);
    pacer.start(0, 0);
    expect(pacer.readyAt(1, 0)).toBe(10);
  });

  test("makes up a stall at the peak rate (1.1 × after a 10 ms burst), never all at once", () => {
    const pacer = new ThroughputCap(new AvalanchePacer(0), new TokenBucket({ ratePerSec: 1_000, startMs: 0 }));
    // First asked 100 ms late: 100 sends are owed; 11 (10 ms at the peak rate) go at once, the rest 1/1,100 s apart.
    const { startedAt } = drive(pacer, 200, 100);
    expect(startedAt.slice(0, 11)).toEqual(Array<number>(11).fill(100));
    expect(startedAt[11]! - 100).toBeCloseTo(1_000 / 1_100, 9);
    expect(startedAt.at(-1)! - 100).toBeCloseTo((189 * 1_000) / 1_100, 6);
  });
});

describe("pacerFor", () => {
  test("chooses the mode's pacer once, under the cap when the plan has a throughput", () => {
    expect(pacerFor(plan({}), 5)).toBeInstanceOf(AvalanchePacer);
    expect(pacerFor(plan({ mode: "TSUNAMI", delayMs: 2 }), 5)).toBeInstanceOf(TsunamiPacer);
    expect(pacerFor(plan({ throughput: 50 }), 5)).toBeInstanceOf(ThroughputCap);
    expect(pacerFor(plan({ mode: "TSUNAMI", delayMs: 2, throughput: 50 }), 5)).toBeInstanceOf(ThroughputCap);
  });

  test("builds each pacer from the plan and the start time", () => {
    expect(drive(pacerFor(plan({ mode: "TSUNAMI", delayMs: 2 }), 5), 3)).toEqual({ startedAt: [5, 7, 9], dueAt: [5, 7, 9] });
    expect(drive(pacerFor(plan({ throughput: 50 }), 5), 3).startedAt).toEqual([5, 25, 45]);
    expect(drive(pacerFor(plan({ mode: "TSUNAMI", delayMs: 2, throughput: 50 }), 5), 3)).toEqual({ startedAt: [5, 25, 45], dueAt: [5, 7, 9] });
  });
});
