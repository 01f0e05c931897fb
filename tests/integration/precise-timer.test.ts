import { expect, test } from "bun:test";
import { createPreciseTimer } from "../../src/driver/precise-timer.ts";

test("runs each callback once, in deadline order and never before its deadline, and skips cancelled ones", async () => {
  const timer = createPreciseTimer();
  expect(timer).not.toBeNull();
  const t0 = performance.now();
  const fired: { name: string; early: boolean }[] = [];
  const { promise, resolve } = Promise.withResolvers<void>();
  const at = (name: string, delayMs: number) =>
    timer!.arm(t0 + delayMs, () => {
      fired.push({ name, early: performance.now() < t0 + delayMs });
      if (name === "last") resolve();
    });
  at("b", 1.6);
  at("a", 0.3);
  const cancelled = at("cancelled", 0.9);
  at("last", 2.5);
  timer!.cancel(cancelled);
  await promise;
  expect(fired).toEqual([
    { name: "a", early: false },
    { name: "b", early: false },
    { name: "last", early: false },
  ]);
});

test("re-arming the deadline that just fired still fires", async () => {
  const timer = createPreciseTimer()!;
  const times: number[] = [];
  const { promise, resolve } = Promise.withResolvers<void>();
  const again = () => {
    times.push(performance.now());
    if (times.length === 20) resolve();
    else timer.arm(performance.now() + 0.2, again);
  };
  timer.arm(performance.now() + 0.2, again);
  await promise;
  expect(times).toHaveLength(20);
});
