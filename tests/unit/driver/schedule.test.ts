import { describe, expect, test } from "bun:test";
import { LATE_THRESHOLD_MS } from "../../../src/driver/defaults.ts";
import { isLate } from "../../../src/driver/schedule.ts";

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
