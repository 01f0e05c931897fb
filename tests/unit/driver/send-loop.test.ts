import { describe, expect, test } from "bun:test";
import type { RunPlan } from "../../../src/driver/run-plan.ts";
import { SendLoop } from "../../../src/driver/send-loop.ts";
import { TestStats } from "../../../src/driver/test-stats.ts";
import { FakeClock, settle } from "./fake-clock.ts";
import { FakeTarget } from "./fake-target.ts";

const plan = (fields: Partial<RunPlan>): RunPlan => ({
  testId: "t1", mode: "AVALANCHE", url: "http://target/ping", count: 10, delayMs: 0, concurrency: 64, timeoutMs: 10_000, ...fields,
});

function setup(fields: Partial<RunPlan>, startMs = 0) {
  const clock = new FakeClock();
  const target = new FakeTarget(clock);
  const p = plan(fields);
  const stats = new TestStats({ nodeId: "d1", testId: "t1", paced: p.mode === "TSUNAMI", startedAtMs: clock.now(), epochOffsetMs: clock.now() });
  const loop = new SendLoop(p, { fetch: target.fetch, clock, sink: stats }, startMs);
  return { clock, target, stats, loop };
}

describe("SendLoop", () => {
  test("sends TSUNAMI requests exactly at start + i × delay, counting none late", async () => {
    const { clock, target, stats, loop } = setup({ mode: "TSUNAMI", count: 50, delayMs: 10 }, 100);
    const done = loop.start();
    await clock.advanceUntil(() => stats.counts.completed === 50);
    expect(await done).toEqual({ sent: 50, stopped: false });
    expect(target.sentAt).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i * 10));
    expect(stats.counts.late).toBe(0);
  });

  test("releases sub-millisecond TSUNAMI sends in batches per wake-up, never before they are due", async () => {
    const { clock, target, stats, loop } = setup({ mode: "TSUNAMI", count: 1_000, delayMs: 0.25 });
    void loop.start();
    await clock.advanceUntil(() => stats.counts.completed === 1_000);
    target.sentAt.forEach((at, i) => {
      expect(at).toBeGreaterThanOrEqual(i * 0.25);
      expect(at - i * 0.25).toBeLessThan(1);
    });
    expect(target.sentAt.at(-1)).toBe(250);
  });

  test("does not wait for responses in TSUNAMI (open model) up to the in-flight cap", async () => {
    const { clock, target, stats, loop } = setup({ mode: "TSUNAMI", count: 20, delayMs: 10, concurrency: 5 });
    target.hold = true;
    void loop.start();
    await clock.advance(100);
    expect(target.sentAt).toEqual([0, 10, 20, 30, 40]);
    expect(target.inFlight).toBe(5);
    target.release(1);
    await clock.advance(0);
    // The sixth send was due at 50 and goes as soon as a slot frees, measured from its due time.
    expect(target.sentAt).toEqual([0, 10, 20, 30, 40, 100]);
    expect(stats.counts.late).toBe(1);
  });

  test("keeps at most `concurrency` AVALANCHE requests in flight and sends exactly count", async () => {
    const { clock, target, stats, loop } = setup({ count: 1_000, concurrency: 8 });
    target.hold = true;
    const done = loop.start();
    while (stats.counts.completed < 1_000) {
      await clock.advance(1);
      expect(target.inFlight).toBeLessThanOrEqual(8);
      target.release(3);
    }
    expect(await done).toEqual({ sent: 1_000, stopped: false });
    expect(target.sentAt.length).toBe(1_000);
    expect(target.maxInFlight).toBe(8);
    expect(loop.maxInFlight).toBe(8);
  });

  test("sends nothing before the start time", async () => {
    const { clock, target, loop } = setup({ count: 3 }, 500);
    void loop.start();
    await clock.advance(499);
    expect(target.sentAt).toEqual([]);
    await clock.advance(1);
    expect(target.sentAt).toEqual([500, 500, 500]);
  });

  test("caps AVALANCHE at the target throughput, one send per 1/rate", async () => {
    const { clock, target, stats, loop } = setup({ count: 50, throughput: 100 });
    void loop.start();
    await clock.advanceUntil(() => stats.counts.completed === 50);
    expect(target.sentAt).toEqual(Array.from({ length: 50 }, (_, i) => i * 10));
  });

  test("counts a request that outlives its timeout as a timeout, and 5xx and refusals by class", async () => {
    const slow = setup({ count: 2, timeoutMs: 300 });
    slow.target.hold = true;
    const done = slow.loop.start();
    // Never before the timeout; at most one 5 ms timeout slice after it.
    await slow.clock.advance(300);
    expect(slow.stats.counts.timeout).toBe(0);
    await slow.clock.advance(5);
    expect(await done).toEqual({ sent: 2, stopped: false });
    expect(slow.stats.counts).toMatchObject({ sent: 2, completed: 0, timeout: 2 });

    const failing = setup({ count: 3 });
    failing.target.status = 503;
    void failing.loop.start();
    await failing.clock.advanceUntil(() => failing.stats.counts.completed === 3);
    expect(failing.stats.counts).toMatchObject({ sent: 3, completed: 3, status_5xx: 3 });

    const refused = setup({ count: 4 });
    refused.target.refuse = true;
    const ended = refused.loop.start();
    await refused.clock.advance(1);
    expect(await ended).toEqual({ sent: 4, stopped: false });
    expect(refused.stats.counts).toMatchObject({ sent: 4, completed: 0, connection_error: 4 });
    expect(refused.loop.firstError).toContain("Unable to connect");
    expect(refused.clock.pendingTimers).toBe(0);
  });

  test("stop() starts nothing new and resolves once in-flight requests end", async () => {
    const { clock, target, stats, loop } = setup({ mode: "TSUNAMI", count: 100, delayMs: 10 });
    target.hold = true;
    void loop.start();
    await clock.advance(45);
    const stopped = loop.stop();
    await clock.advance(100);
    expect(target.sentAt.length).toBe(5);
    let ended = false;
    void stopped.then(() => (ended = true));
    await settle();
    expect(ended).toBe(false);
    target.release();
    expect(await stopped).toEqual({ sent: 5, stopped: true });
    const c = stats.counts;
    expect(c.sent).toBe(c.completed + c.timeout + c.connection_error);
    expect(clock.pendingTimers).toBe(0);
  });

  test("yields between batches: a timer due meanwhile fires before all sends are done", async () => {
    const { clock, stats, loop } = setup({ count: 5_000, concurrency: 1_000 });
    let sentWhenTimerFired = -1;
    clock.setTimeout(() => (sentWhenTimerFired = stats.counts.sent), 0);
    void loop.start();
    await clock.advanceUntil(() => stats.counts.completed === 5_000);
    expect(sentWhenTimerFired).toBeGreaterThan(0);
    expect(sentWhenTimerFired).toBeLessThan(5_000);
  });
});
