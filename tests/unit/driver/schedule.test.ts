import { describe, expect, test } from "bun:test";
import { LATE_THRESHOLD_MS } from "../../../src/driver/defaults.ts";
import { isLate, TsunamiSchedule } from "../../../src/driver/schedule.ts";

describe("TsunamiSchedule", () => {
  test("puts send i at start + i × delay", () => {
    const schedule = new TsunamiSchedule(1_000, 10);
    expect([0, 1, 2, 49].map((i) => schedule.dueAt(i))).toEqual([1_000, 1_010, 1_020, 1_490]);
  });

  test("does not drift over a million sends where adding delays up would", () => {
    const schedule = new TsunamiSchedule(0, 0.1);
    let summed = 0;
    for (let i = 0; i < 1_000_000; i++) summed += 0.1;
    expect(schedule.dueAt(1_000_000)).toBe(100_000);
    expect(summed).not.toBe(100_000);
  });
});

describe("isLate", () => {
  test("calls a send late only past the threshold", () => {
    expect(LATE_THRESHOLD_MS).toBe(5);
    expect(isLate(105, 100)).toBe(false);
    expect(isLate(105.01, 100)).toBe(true);
    expect(isLate(99, 100)).toBe(false);
    expect(isLate(102, 100, 1)).toBe(true);
  });

  test("never calls an unpaced send (due NaN) late", () => {
    expect(isLate(1e9, NaN)).toBe(false);
  });
});
