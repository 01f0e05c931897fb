import { expect, test } from "bun:test";
import { LogThrottle } from "../../../src/orchestrator/log-throttle.ts";

test("lets a few lines a second through per key and sums up the rest once the second is over", () => {
  const throttle = new LogThrottle(2, 1000);
  const allowed = Array.from({ length: 100_000 }, (_, i) => throttle.allow("node joined", i % 1000)).filter(Boolean).length;
  expect(allowed).toBe(2);
  expect(throttle.allow("node died", 10)).toBe(true);
  expect(throttle.drain(999)).toEqual([]);
  expect(throttle.drain(1000)).toEqual([{ key: "node joined", count: 99_998 }]);
  expect(throttle.allow("node joined", 1500)).toBe(true);
  expect(throttle.drain(5000)).toEqual([]);
});
