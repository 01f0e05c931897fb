import { describe, expect, test } from "bun:test";
import type { Outcome } from "../../../src/driver/outcome.ts";
import type { RunPlan } from "../../../src/driver/run-plan.ts";
import { SendLoop, type SendSink } from "../../../src/driver/send-loop.ts";
import { TestStats } from "../../../src/driver/test-stats.ts";
import { FakeClock } from "./fake-clock.ts";
import { FakePool } from "./fake-pool.ts";
import { FakeTarget } from "./fake-target.ts";

// The pooled path (`SendLoop` with `openHttp`): what every http:// test sends through. Driven
// only through the public constructor, start/stop/halt and a fake pool and clock.

const plan = (fields: Partial<RunPlan>): RunPlan => ({
  testId: "t1", mode: "AVALANCHE", url: "http://target/ping", count: 10, delayMs: 0, concurrency: 64, timeoutMs: 10_000, ...fields,
});

interface Ended {
  outcome: Outcome;
  latencyMs: number;
  dueLatencyMs: number;
  bodyTooLarge: boolean | undefined;
}

/** Forwards to the driver's TestStats and keeps every call's arguments, to check them exactly. */
class RecordingSink implements SendSink {
  readonly sends: { startedMs: number; dueMs: number }[] = [];
  readonly ended: Ended[] = [];
  constructor(readonly stats: TestStats) {}
  onSend(startedMs: number, dueMs: number): void {
    this.sends.push({ startedMs, dueMs });
    this.stats.onSend(startedMs, dueMs);
  }
  onOutcome(outcome: Outcome, latencyMs: number, dueLatencyMs: number, bodyTooLarge?: boolean): void {
    this.ended.push({ outcome, latencyMs, dueLatencyMs, bodyTooLarge });
    this.stats.onOutcome(outcome, latencyMs, dueLatencyMs, bodyTooLarge);
  }
}

function setup(fields: Partial<RunPlan> = {}, startMs = 0, maxBodyBytes?: number) {
  const clock = new FakeClock();
  const pool = new FakePool(clock);
  // Every request must go through the pool: a call to fetch fails the test.
  const target = new FakeTarget(clock);
  const p = plan(fields);
  const stats = new TestStats({ nodeId: "d1", testId: "t1", paced: p.mode === "TSUNAMI", startedAtMs: clock.now(), epochOffsetMs: clock.now() });
  const sink = new RecordingSink(stats);
  const loop = new SendLoop(
    p,
    { fetch: target.fetch, clock, sink, openHttp: pool.open, ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}) },
    startMs,
  );
  return { clock, pool, target, stats, sink, loop };
}

describe("SendLoop through the connection pool", () => {
  test("opens one pool for the plan's URL and concurrency, sends exactly count through it and closes it at the end", async () => {
    const { clock, pool, target, stats, loop } = setup({ count: 25, concurrency: 4 }, 0, 4096);
    expect(pool.opened).toEqual({ url: "http://target/ping", maxConnections: 4, options: { maxBodyBytes: 4096 } });
    const done = loop.start();
    await clock.advanceUntil(() => stats.counts.completed === 25);
    expect(await done).toEqual({ sent: 25, stopped: false });
    expect(pool.sentAt.length).toBe(25);
    expect(target.sentAt).toEqual([]);
    expect(pool.closed).toBe(true);
    expect(pool.maxInFlight).toBeLessThanOrEqual(4);
    expect(clock.pendingTimers).toBe(0);
  });

  test("falls back to fetch when openHttp cannot serve the URL", async () => {
    const clock = new FakeClock();
    const target = new FakeTarget(clock);
    const stats = new TestStats({ nodeId: "d1", testId: "t1", paced: false, startedAtMs: clock.now(), epochOffsetMs: clock.now() });
    const loop = new SendLoop(plan({ count: 3 }), { fetch: target.fetch, clock, sink: stats, openHttp: () => null }, 0);
    expect(await Promise.all([loop.start(), clock.advance(1)]).then(([r]) => r)).toEqual({ sent: 3, stopped: false });
    expect(target.sentAt).toEqual([0, 0, 0]);
    expect(stats.counts).toMatchObject({ sent: 3, completed: 3, status_2xx: 3 });
  });

  test("counts each status by class and a failure (status 0) as a connection error, keeping the first error's message", async () => {
    const { clock, pool, stats, sink, loop } = setup({ count: 6, concurrency: 6 });
    pool.hold = true;
    const done = loop.start();
    await clock.advance(0);
    expect(pool.held).toBe(6);
    pool.release(1, { status: 204 });
    pool.release(1, { status: 301 });
    pool.release(1, { status: 404 });
    pool.release(1, { status: 503 });
    pool.release(1, { status: 0, error: new Error("socket reset") });
    pool.release(1, { status: 0, error: "refused" });
    expect(await done).toEqual({ sent: 6, stopped: false });
    expect(sink.ended.map((e) => e.outcome)).toEqual(["status_2xx", "status_3xx", "status_4xx", "status_5xx", "connection_error", "connection_error"]);
    expect(stats.counts).toMatchObject({
      sent: 6, completed: 4, status_2xx: 1, status_3xx: 1, status_4xx: 1, status_5xx: 1, connection_error: 2, timeout: 0,
    });
    expect(stats.counts.body_too_large).toBeUndefined();
    expect(loop.firstError).toBe("socket reset");
  });

  test("measures latency from the send to the pool's callback, and due-time latency from each TSUNAMI due time", async () => {
    const { clock, pool, stats, sink, loop } = setup({ mode: "TSUNAMI", count: 4, delayMs: 10, concurrency: 2 }, 100);
    pool.hold = true;
    const done = loop.start();
    await clock.advance(115); // now 115: sends due at 100 and 110 are out, the third waits for a slot
    expect(pool.sentAt).toEqual([100, 110]);
    pool.release(1); // ends the first at 115: the third (due 120) is not due yet
    await clock.advance(10); // 125
    expect(pool.sentAt).toEqual([100, 110, 120]);
    await clock.advance(15); // 140: the fourth is due at 130 but both slots are busy
    expect(pool.sentAt).toEqual([100, 110, 120]);
    pool.release(1); // ends the second at 140: the fourth goes at once from the callback, 10 ms late
    expect(pool.sentAt).toEqual([100, 110, 120, 140]);
    await clock.advance(5); // 145
    pool.release(2);
    expect(await done).toEqual({ sent: 4, stopped: false });
    expect(sink.sends).toEqual([
      { startedMs: 100, dueMs: 100 },
      { startedMs: 110, dueMs: 110 },
      { startedMs: 120, dueMs: 120 },
      { startedMs: 140, dueMs: 130 },
    ]);
    expect(sink.ended).toEqual([
      { outcome: "status_2xx", latencyMs: 15, dueLatencyMs: 15, bodyTooLarge: undefined },
      { outcome: "status_2xx", latencyMs: 30, dueLatencyMs: 30, bodyTooLarge: undefined },
      { outcome: "status_2xx", latencyMs: 25, dueLatencyMs: 25, bodyTooLarge: undefined },
      { outcome: "status_2xx", latencyMs: 5, dueLatencyMs: 15, bodyTooLarge: undefined },
    ]);
    const report = stats.report(clock.now(), true);
    expect(report.counts).toMatchObject({ sent: 4, completed: 4, late: 1 }); // the fourth left 10 ms after its due time
    expect(report.window?.min_latency).toBe(5);
    expect(report.window?.max_latency).toBe(30);
    expect(report.window?.latency_sum_ms).toBe(75);
    expect(report.due_metrics?.max_latency).toBe(30);
  });

  test("reports no due time and a NaN due-time latency for unpaced AVALANCHE sends", async () => {
    const { clock, pool, sink, loop } = setup({ count: 2 });
    pool.hold = true;
    const done = loop.start();
    await clock.advance(7);
    pool.release();
    await done;
    expect(sink.sends.map((s) => s.startedMs)).toEqual([0, 0]);
    for (const s of sink.sends) expect(s.dueMs).toBeNaN();
    expect(sink.ended.map((e) => e.latencyMs)).toEqual([7, 7]);
    for (const e of sink.ended) expect(e.dueLatencyMs).toBeNaN();
  });

  test("sends the next request from the pool's callback in the same turn when it is due", async () => {
    const { clock, pool, loop } = setup({ count: 5, concurrency: 1 });
    pool.hold = true;
    void loop.start();
    await clock.advance(0);
    expect(pool.sentAt.length).toBe(1);
    for (let i = 2; i <= 5; i++) {
      pool.release(1); // no clock step, no settle: the callback itself writes the next one
      expect(pool.sentAt.length).toBe(i);
    }
    expect(pool.maxInFlight).toBe(1);
  });

  test("reads the clock once per request in a closed loop: a response's end is the next request's start, and latencies stay exact", async () => {
    const { clock, pool, sink, loop } = setup({ count: 50, concurrency: 4 });
    pool.hold = true;
    void loop.start();
    await clock.advance(0);
    let reads = 0;
    const mono = clock.mono.bind(clock);
    clock.mono = () => (reads++, mono());
    for (let i = 0; i < 46; i++) {
      await clock.advance(3);
      pool.release(1); // ends one after 3 ms more; its callback records it and writes the next
    }
    expect(pool.sentAt.length).toBe(50);
    // The fake pool reads the clock once per send (its sentAt); the loop once per ended request
    // (its end, which starts the next). Before issue 16's change the loop read it three times.
    expect(reads - (pool.sentAt.length - 4)).toBe(46);
    // The next request starts at its predecessor's end: each starts when one ended, never earlier.
    const ends = sink.ended.map((_, i) => sink.sends[i]!.startedMs + sink.ended[i]!.latencyMs);
    expect(sink.sends.slice(4).map((s) => s.startedMs)).toEqual(ends.slice(0, 46));
    // Each request was held for 4 releases of 3 ms (the first four from 0 ms: 3, 6, 9, 12 ms).
    expect(sink.ended.slice(0, 4).map((e) => e.latencyMs)).toEqual([3, 6, 9, 12]);
    for (const e of sink.ended.slice(4)) expect(e.latencyMs).toBe(12);
  });

  test("counts a request the pool holds past its timeout as a timeout, never before the timeout", async () => {
    const { clock, pool, stats, sink, loop } = setup({ count: 3, concurrency: 3, timeoutMs: 300 });
    pool.hold = true;
    const done = loop.start();
    await clock.advance(300);
    expect(stats.counts.timeout).toBe(0);
    pool.release(1); // one answers just in time
    await clock.advance(5); // at most one 5 ms timeout slice later
    expect(await done).toEqual({ sent: 3, stopped: false });
    expect(sink.ended.map((e) => e.outcome)).toEqual(["status_2xx", "timeout", "timeout"]);
    expect(stats.counts).toMatchObject({ sent: 3, completed: 1, timeout: 2, connection_error: 0 });
    expect(stats.inFlight()).toBe(0);
    expect(loop.firstError).toBe("request timed out");
    expect(pool.held).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  test("stop() starts nothing new and resolves once the pool's requests in flight end, counted by their answers", async () => {
    const { clock, pool, stats, loop } = setup({ mode: "TSUNAMI", count: 100, delayMs: 10 });
    pool.hold = true;
    const done = loop.start();
    await clock.advance(45);
    const stopped = loop.stop();
    await clock.advance(100);
    expect(pool.sentAt).toEqual([0, 10, 20, 30, 40]);
    let ended = false;
    void stopped.then(() => (ended = true));
    pool.release(4);
    await clock.advance(0);
    expect(ended).toBe(false);
    pool.release(1, { status: 500 });
    expect(await stopped).toEqual({ sent: 5, stopped: true });
    expect(await done).toEqual({ sent: 5, stopped: true });
    expect(stats.counts).toMatchObject({ sent: 5, completed: 5, status_2xx: 4, status_5xx: 1 });
    expect(stats.counts.stopped).toBeUndefined();
    expect(pool.closed).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  test("stop() before the start time sends nothing and resolves at once", async () => {
    const { clock, pool, loop } = setup({ count: 5 }, 1_000);
    void loop.start();
    await clock.advance(10);
    expect(await loop.stop()).toEqual({ sent: 0, stopped: true });
    await clock.advance(2_000);
    expect(pool.sentAt).toEqual([]);
    expect(pool.closed).toBe(true);
  });

  test("halt() aborts what the pool still holds after the grace: counted stopped, with no latency and no first error", async () => {
    const { clock, pool, stats, sink, loop } = setup({ count: 6, concurrency: 4 });
    pool.hold = true;
    void loop.start();
    await clock.advance(0);
    const halted = loop.halt(50);
    pool.release(1, { status: 200, bodyTooLarge: true });
    await clock.advance(50);
    expect(await halted).toEqual({ sent: 4, stopped: true });
    expect(sink.ended.map((e) => e.outcome)).toEqual(["status_2xx", "stopped", "stopped", "stopped"]);
    expect(stats.counts).toMatchObject({ sent: 4, completed: 1, stopped: 3, timeout: 0, connection_error: 0, body_too_large: 1 });
    expect(stats.inFlight()).toBe(0);
    expect(loop.firstError).toBeUndefined();
  });

  test("passes body_too_large through with the response's status and its latency to the abandonment", async () => {
    const { clock, pool, stats, sink, loop } = setup({ count: 3, concurrency: 3 });
    pool.hold = true;
    const done = loop.start();
    await clock.advance(20);
    pool.release(1, { status: 200, bodyTooLarge: true });
    pool.release(1, { status: 500, bodyTooLarge: true });
    pool.release(1, { status: 200 });
    await done;
    expect(sink.ended).toEqual([
      { outcome: "status_2xx", latencyMs: 20, dueLatencyMs: NaN, bodyTooLarge: true },
      { outcome: "status_5xx", latencyMs: 20, dueLatencyMs: NaN, bodyTooLarge: true },
      { outcome: "status_2xx", latencyMs: 20, dueLatencyMs: NaN, bodyTooLarge: undefined },
    ]);
    expect(stats.counts).toMatchObject({ sent: 3, completed: 3, status_2xx: 2, status_5xx: 1, body_too_large: 2 });
    expect(stats.report(clock.now(), false).window?.counts.body_too_large).toBe(2);
  });

  test("keeps at most `concurrency` in the pool and sends exactly count when answers come in bursts", async () => {
    const { clock, pool, stats, loop } = setup({ count: 1_000, concurrency: 8 });
    pool.hold = true;
    const done = loop.start();
    while (stats.counts.completed < 1_000) {
      await clock.advance(1);
      expect(pool.inFlight).toBeLessThanOrEqual(8);
      pool.release(3);
    }
    expect(await done).toEqual({ sent: 1_000, stopped: false });
    expect(pool.sentAt.length).toBe(1_000);
    expect(pool.maxInFlight).toBe(8);
    expect(loop.maxInFlight).toBe(8);
  });

  test("caps AVALANCHE at the target throughput through the pool, one send per 1/rate", async () => {
    const { clock, pool, stats, loop } = setup({ count: 20, throughput: 50 });
    void loop.start();
    await clock.advanceUntil(() => stats.counts.completed === 20);
    expect(pool.sentAt).toEqual(Array.from({ length: 20 }, (_, i) => i * 20));
  });

  test("yields between batches through the pool: a timer due meanwhile fires before all sends are done, and every send is counted once", async () => {
    const { clock, pool, stats, loop } = setup({ count: 5_000, concurrency: 1_000 });
    let sentWhenTimerFired = -1;
    clock.setTimeout(() => (sentWhenTimerFired = stats.counts.sent), 0);
    const done = loop.start();
    await clock.advanceUntil(() => stats.counts.completed === 5_000);
    expect(await done).toEqual({ sent: 5_000, stopped: false });
    expect(sentWhenTimerFired).toBeGreaterThan(0);
    expect(sentWhenTimerFired).toBeLessThan(5_000);
    expect(pool.sentAt.length).toBe(5_000);
    expect(stats.counts).toMatchObject({ sent: 5_000, completed: 5_000, status_2xx: 5_000 });
  });
});
