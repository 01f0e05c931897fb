import { describe, expect, test } from "bun:test";
import type { HttpPool, RequestDone } from "../../../src/driver/http1-pool.ts";
import type { RunPlan } from "../../../src/driver/run-plan.ts";
import { SendLoop } from "../../../src/driver/send-loop.ts";
import { TestStats } from "../../../src/driver/test-stats.ts";
import { FakeClock } from "./fake-clock.ts";
import { FakeTarget } from "./fake-target.ts";

const plan = (fields: Partial<RunPlan>): RunPlan => ({
  testId: "t1", mode: "TSUNAMI", url: "http://target/ping", count: 100, delayMs: 10, concurrency: 64, timeoutMs: 10_000, ...fields,
});

/** A connection pool that holds every request until `release`, and fails it when its signal aborts (as http1-pool does). */
class HeldPool implements HttpPool {
  readonly sentAt: number[] = [];
  private readonly waiting = new Set<{ done: RequestDone; signal: AbortSignal }>();
  constructor(private readonly clock: FakeClock) {}
  request(): Promise<number> {
    throw new Error("the send loop uses send()");
  }
  send(signal: AbortSignal, done: RequestDone): void {
    this.sentAt.push(this.clock.mono());
    const entry = { done, signal };
    this.waiting.add(entry);
    signal.addEventListener("abort", () => this.waiting.delete(entry) && done(0, signal.reason), { once: true });
  }
  release(n: number): void {
    for (const entry of [...this.waiting].slice(0, n)) {
      this.waiting.delete(entry);
      entry.done(200, undefined);
    }
  }
  close(): void {}
}

function setup(fields: Partial<RunPlan> = {}, pooled = false) {
  const clock = new FakeClock();
  const target = new FakeTarget(clock);
  target.hold = true;
  const pool = new HeldPool(clock);
  const p = plan(fields);
  const stats = new TestStats({ nodeId: "d1", testId: "t1", paced: p.mode === "TSUNAMI", startedAtMs: clock.now(), epochOffsetMs: clock.now() });
  const loop = new SendLoop(p, { fetch: target.fetch, clock, sink: stats, ...(pooled ? { openHttp: () => pool } : {}) }, 0);
  return { clock, target, pool, stats, loop, sentAt: () => (pooled ? pool.sentAt : target.sentAt) };
}

describe("SendLoop.halt", () => {
  for (const pooled of [false, true]) {
    test(`starts no request after the stop and aborts the ones in flight once the grace has passed, counted stopped (${pooled ? "connection pool" : "fetch"})`, async () => {
      const { clock, target, pool, stats, loop, sentAt } = setup({}, pooled);
      const done = loop.start();
      await clock.advance(55);
      expect(sentAt()).toEqual([0, 10, 20, 30, 40, 50]);

      const halted = loop.halt(200);
      await clock.advance(150);
      expect(sentAt().length).toBe(6);
      if (pooled) pool.release(2);
      else target.release(2);
      await clock.advance(0);
      expect({ completed: stats.counts.completed, stopped: stats.counts.stopped }).toEqual({ completed: 2, stopped: undefined });

      await clock.advance(49); // 199 ms after the stop: still within the grace
      expect(stats.inFlight()).toBe(4);
      await clock.advance(1);
      expect(await halted).toEqual({ sent: 6, stopped: true });
      expect(await done).toEqual({ sent: 6, stopped: true });
      expect(stats.counts).toMatchObject({ sent: 6, completed: 2, status_2xx: 2, stopped: 4, timeout: 0, connection_error: 0 });
      expect(stats.inFlight()).toBe(0);
      expect(loop.firstError).toBeUndefined();
      await clock.advance(10_000);
      expect(sentAt().length).toBe(6);
    });
  }

  test("ends as soon as the requests in flight finish within the grace, aborting none and leaving no timer", async () => {
    const { clock, target, stats, loop } = setup({ mode: "AVALANCHE", delayMs: 0, concurrency: 3 });
    void loop.start();
    await clock.advance(0);
    expect(target.sentAt.length).toBe(3);
    const halted = loop.halt(2_000);
    target.release(3);
    await clock.advance(0);
    expect(await halted).toEqual({ sent: 3, stopped: true });
    expect(stats.counts).toMatchObject({ sent: 3, completed: 3 });
    expect(stats.counts.stopped).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
  });

  test("a grace of 0 aborts every request in flight at once", async () => {
    const { clock, stats, loop } = setup({ mode: "AVALANCHE", delayMs: 0, concurrency: 5 });
    void loop.start();
    await clock.advance(0);
    const halted = loop.halt(0);
    await clock.advance(0);
    expect(await halted).toEqual({ sent: 5, stopped: true });
    expect(stats.counts).toMatchObject({ sent: 5, completed: 0, stopped: 5 });
  });
});
