import { describe, expect, test } from "bun:test";
import type { Pacer } from "../../../../src/driver/pacing/pacer.ts";
import type { RunPlan } from "../../../../src/driver/run-plan.ts";
import { SendLoop } from "../../../../src/driver/send-loop.ts";
import { TestStats } from "../../../../src/driver/test-stats.ts";
import { FakeClock } from "../fake-clock.ts";
import { FakeTarget } from "../fake-target.ts";

/**
 * A ramping arrival rate, written as a new pacer would be (k6's ramping-arrival-rate, vegeta's
 * LinearPacer): the rate climbs linearly from `fromPerMs` by `slopePerMs2`, send i is due when
 * the rate's integral reaches i, computed from the start (no drift). Nothing in the loop knows it.
 */
class RampingPacer implements Pacer {
  constructor(
    private readonly startMs: number,
    private readonly fromPerMs: number,
    private readonly slopePerMs2: number,
  ) {}

  dueAt(i: number): number {
    const { fromPerMs: r, slopePerMs2: k } = this;
    return this.startMs + (Math.sqrt(r * r + 2 * k * i) - r) / k;
  }

  readyAt(i: number): number {
    return this.dueAt(i);
  }

  start(i: number): number {
    return this.dueAt(i);
  }
}

/** Lets `count` sends through from `startMs`, then says it is done. */
class FirstOnly implements Pacer {
  constructor(private readonly count: number) {}

  readyAt(i: number): number {
    return i < this.count ? 0 : Infinity;
  }

  start(): number {
    return NaN;
  }
}

function setup(count: number, pacer: Pacer, paced: boolean) {
  const clock = new FakeClock();
  const target = new FakeTarget(clock);
  const p: RunPlan = { testId: "t1", mode: "TSUNAMI", url: "http://target/ping", count, delayMs: 1, concurrency: 64, timeoutMs: 10_000 };
  const stats = new TestStats({ nodeId: "d1", testId: "t1", paced, startedAtMs: clock.now(), epochOffsetMs: clock.now() });
  const loop = new SendLoop(p, { fetch: target.fetch, clock, sink: stats, pacer }, 0);
  return { clock, target, stats, loop };
}

describe("SendLoop with a pacer it does not know", () => {
  test("sends a ramping rate at its due times, never before, none late, exactly count", async () => {
    const pacer = new RampingPacer(0, 0.1, 0.2 / 1_000);
    const { clock, target, stats, loop } = setup(200, pacer, true);
    const done = loop.start();
    await clock.advanceUntil(() => stats.counts.completed === 200, 0.5);
    expect(await done).toEqual({ sent: 200, stopped: false });
    target.sentAt.forEach((at, i) => {
      expect(at).toBeGreaterThanOrEqual(pacer.dueAt(i));
      expect(at - pacer.dueAt(i)).toBeLessThan(1);
    });
    // The gaps shrink as the rate climbs (10 ms at first, near 4 ms at the end).
    expect(pacer.dueAt(1) - pacer.dueAt(0)).toBeCloseTo(10, 0);
    expect(pacer.dueAt(199) - pacer.dueAt(198)).toBeLessThan(5);
    expect(stats.counts.late).toBe(0);
  });

  test("ends the loop when the pacer is done, as a cut-short run, with no timer left behind", async () => {
    const { clock, target, stats, loop } = setup(10, new FirstOnly(3), false);
    const done = loop.start();
    await clock.advanceUntil(() => stats.counts.completed === 3);
    expect(await done).toEqual({ sent: 3, stopped: true });
    expect(target.sentAt).toEqual([0, 0, 0]);
    expect(clock.pendingTimers).toBe(0);
  });
});
