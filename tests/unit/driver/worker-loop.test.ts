import { describe, expect, test } from "bun:test";
import { silentLogger } from "../../../src/log.ts";
import { zeroCounts } from "../../../src/protocol/counts.ts";
import type { Outbox } from "../../../src/driver/outbox.ts";
import { Reporter } from "../../../src/driver/reporter.ts";
import type { RunPlan } from "../../../src/driver/run-plan.ts";
import { TestStats, type ShareWindow } from "../../../src/driver/test-stats.ts";
import type { ControlMessage, RunShareMessage, WorkerReply } from "../../../src/driver/worker-messages.ts";
import { WorkerLoop } from "../../../src/driver/worker-loop.ts";
import { FakeClock, settle } from "./fake-clock.ts";

const EPOCH = 1_800_000_000_000;
const plan = (fields: Partial<RunPlan> = {}): RunPlan => ({
  testId: "t1", mode: "AVALANCHE", url: "http://127.0.0.1:1/", count: 7, delayMs: 0, concurrency: 7, timeoutMs: 10_000, ...fields,
});

/** A Worker stand-in: records what the main thread posts, and replies or fails when the test says. */
class FakeWorker {
  readonly posted: (RunShareMessage | ControlMessage)[] = [];
  onmessage: ((event: MessageEvent<WorkerReply>) => void) | null = null;
  terminated = false;
  private readonly listeners = new Map<string, ((event: Event) => void)[]>();
  postMessage(message: RunShareMessage | ControlMessage): void {
    this.posted.push(message);
  }
  addEventListener(type: string, fn: (event: Event) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(message: WorkerReply): void {
    this.onmessage?.({ data: message } as MessageEvent<WorkerReply>);
  }
  fail(message: string): void {
    for (const fn of this.listeners.get("error") ?? []) fn(Object.assign(new Event("error"), { message }));
  }
}

/** A window of `sent` sends of which `completed` got a 2xx in `latencyMs`. */
function share(sent: number, completed: number, latencyMs = 5): ShareWindow {
  const s = new TestStats({ nodeId: "w", testId: "t1", paced: false, startedAtMs: EPOCH, epochOffsetMs: EPOCH });
  for (let i = 0; i < sent; i++) s.onSend(i, NaN);
  for (let i = 0; i < completed; i++) s.onOutcome("status_2xx", latencyMs, NaN);
  return s.closeShare(false);
}

function startLoop(p: RunPlan, workers: number, startMs = 100) {
  const fakes: FakeWorker[] = [];
  const stats = new TestStats({ nodeId: "d1", testId: "t1", paced: p.mode === "TSUNAMI", startedAtMs: EPOCH, epochOffsetMs: EPOCH });
  const crashes: string[] = [];
  const loop = new WorkerLoop(
    p,
    {
      stats,
      log: silentLogger,
      workers,
      pooled: true,
      keepRaw: false,
      onCrash: (reason) => void crashes.push(reason),
      spawn: () => {
        const fake = new FakeWorker();
        fakes.push(fake);
        return fake as unknown as Worker;
      },
    },
    startMs,
  );
  const done = loop.start();
  return { loop, done, fakes, stats, crashes };
}

describe("WorkerLoop", () => {
  test("hands each worker its share: counts 4 and 3 of 7, TSUNAMI origins one delay apart", () => {
    const { fakes } = startLoop(plan({ mode: "TSUNAMI", delayMs: 10 }), 2);
    const runs = fakes.map((f) => f.posted[0] as RunShareMessage);
    expect(runs.map((r) => [r.index, r.plan.count, r.plan.delayMs, r.plan.concurrency])).toEqual([[0, 4, 20, 4], [1, 3, 20, 3]]);
    expect(runs[1]!.startEpochMs - runs[0]!.startEpochMs).toBeCloseTo(10, 6);
    expect(runs.every((r) => r.paced && r.pooled)).toBe(true);
  });

  test("collect() waits for every running worker's window and absorbs them into the one report", async () => {
    const { loop, fakes, stats, done } = startLoop(plan(), 2);
    let collected = false;
    const pending = loop.collect().then(() => void (collected = true));
    expect(fakes.map((f) => f.posted.at(-1))).toEqual([{ type: "window" }, { type: "window" }]);
    fakes[0]!.reply({ type: "window", share: share(3, 2) });
    await settle();
    expect(collected).toBe(false);
    fakes[1]!.reply({ type: "window", share: share(2, 2, 9) });
    await pending;
    const report = stats.report(EPOCH + 1_000, false);
    expect([report.window!.counts.sent, report.window!.counts.completed, report.window!.min_latency, report.window!.max_latency]).toEqual([5, 4, 5, 9]);
    fakes[0]!.reply({ type: "done", share: share(1, 2), result: { sent: 4, stopped: false }, maxInFlight: 4 });
    fakes[1]!.reply({ type: "done", share: share(1, 1), result: { sent: 3, stopped: false }, maxInFlight: 3 });
    expect(await done).toEqual({ sent: 7, stopped: false });
    expect(stats.counts).toMatchObject({ sent: 7, completed: 7 });
    expect(fakes.every((f) => f.terminated)).toBe(true);
  });

  test("stop and halt reach every worker still running", () => {
    const { loop, fakes } = startLoop(plan(), 3);
    void loop.halt(250);
    expect(fakes.map((f) => f.posted.at(-1))).toEqual([{ type: "halt", graceMs: 250 }, { type: "halt", graceMs: 250 }, { type: "halt", graceMs: 250 }]);
  });

  test("a worker that dies without a last word fails the share: its requests in flight counted stopped, the reason given", async () => {
    const { fakes, stats, done, crashes } = startLoop(plan(), 2);
    fakes[1]!.reply({ type: "window", share: share(3, 1) });
    fakes[1]!.fail("error: out of memory");
    fakes[0]!.reply({ type: "done", share: share(4, 4), result: { sent: 4, stopped: false }, maxInFlight: 4 });
    expect(await done).toEqual({ sent: 7, stopped: true });
    expect(crashes).toEqual(["worker 2 of 2 crashed: out of memory"]);
    expect(stats.counts).toEqual({ ...zeroCounts(), sent: 7, completed: 5, status_2xx: 5, stopped: 2 });
  });
});

describe("Reporter with a gather (workers)", () => {
  const setup = (gather: () => Promise<void>) => {
    const clock = new FakeClock(EPOCH);
    const pushed: { message: { final: boolean; sequence?: number } }[] = [];
    const outbox = { push: (entry: (typeof pushed)[number]) => void pushed.push(entry) } as unknown as Outbox;
    const stats = new TestStats({ nodeId: "d1", testId: "t1", paced: false, startedAtMs: EPOCH, epochOffsetMs: EPOCH });
    const reporter = new Reporter({ stats, outbox, clock, key: "d1", gather });
    return { clock, pushed, reporter };
  };

  test("each 1 s report waits for its gather; a tick while one is pending adds no second report", async () => {
    let release!: () => void;
    let gathers = 0;
    const { clock, pushed, reporter } = setup(() => {
      gathers++;
      return new Promise<void>((resolve) => (release = resolve));
    });
    reporter.start();
    await clock.advance(1_000);
    expect([gathers, pushed.length]).toEqual([1, 0]);
    await clock.advance(1_000);
    expect([gathers, pushed.length]).toEqual([1, 0]);
    release();
    await settle();
    expect(pushed.map((p) => p.message.final)).toEqual([false]);
    reporter.finish();
  });

  test("no window report follows the final one when the test ends during a gather", async () => {
    let release!: () => void;
    const { clock, pushed, reporter } = setup(() => new Promise<void>((resolve) => (release = resolve)));
    reporter.start();
    await clock.advance(1_000);
    reporter.finish();
    release();
    await settle();
    expect(pushed.map((p) => p.message.final)).toEqual([true]);
  });
});
