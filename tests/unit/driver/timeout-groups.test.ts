import { expect, test } from "bun:test";
import { TimeoutGroups } from "../../../src/driver/timeout-groups.ts";
import { FakeClock } from "./fake-clock.ts";

test("requests starting within one slice share a signal; the next slice gets its own", () => {
  const clock = new FakeClock();
  const groups = new TimeoutGroups(clock, 1_000, 5);
  const a = groups.acquire(0);
  const b = groups.acquire(4.9);
  const c = groups.acquire(5);
  expect(b.signal).toBe(a.signal);
  expect(b.init).toBe(a.init);
  expect(c.signal).not.toBe(a.signal);
  expect(a.init).toEqual({ signal: a.signal, redirect: "manual" });
});

test("aborts a slice's requests after the timeout, never before", async () => {
  const clock = new FakeClock();
  const groups = new TimeoutGroups(clock, 1_000, 5);
  const group = groups.acquire(0);
  groups.acquire(4);
  await clock.advance(1_004);
  expect(group.signal.aborted).toBe(false);
  await clock.advance(1);
  expect(group.signal.aborted).toBe(true);
  expect(group.signal.reason).toBe("request timed out");
});

test("clears a slice's timer once the slice has closed and its last request ended", async () => {
  const clock = new FakeClock();
  const groups = new TimeoutGroups(clock, 10_000, 5);
  const first = groups.acquire(0);
  const second = groups.acquire(1);
  groups.release(first, 2);
  expect(clock.pendingTimers).toBe(1);
  const next = groups.acquire(6);
  expect(clock.pendingTimers).toBe(2);
  groups.release(second, 7);
  expect(clock.pendingTimers).toBe(1);
  groups.release(next, 20);
  expect(clock.pendingTimers).toBe(0);
  groups.close();
  expect([first.signal.aborted, next.signal.aborted]).toEqual([false, false]);
});

test("slices short timeouts finely: at most 5% of the timeout", async () => {
  const clock = new FakeClock();
  const groups = new TimeoutGroups(clock, 40, 5);
  const a = groups.acquire(0);
  expect(groups.acquire(2).signal).not.toBe(a.signal);
  await clock.advance(42);
  expect(a.signal.aborted).toBe(true);
});
