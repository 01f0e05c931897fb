import { expect, test } from "bun:test";
import { Outbox } from "../../../src/driver/outbox.ts";
import { silentLogger } from "../../../src/log.ts";
import type { Heartbeat } from "../../../src/protocol/index.ts";
import { FakeClock, settle } from "./fake-clock.ts";

const beat = (n: number): Heartbeat => ({ node_id: "d1", heartbeat: "YES", timestamp: n });

/** A bus that refuses the first `failures` publishes. */
function flakyBus(failures: number) {
  const published: number[] = [];
  let attempts = 0;
  return {
    published,
    attempts: () => attempts,
    async publish(_topic: string, message: unknown) {
      attempts++;
      if (attempts <= failures) throw new Error("broker down");
      published.push((message as Heartbeat).timestamp);
    },
  };
}

test("retries until the bus takes a message, and keeps the order", async () => {
  const clock = new FakeClock();
  const bus = flakyBus(5);
  const outbox = new Outbox({ bus, clock, log: silentLogger, retryMinMs: 100, retryMaxMs: 1_000 });
  for (let i = 1; i <= 3; i++) outbox.push({ topic: "heartbeat", message: beat(i) });
  await settle();
  expect(bus.published).toEqual([]);
  await clock.advanceUntil(() => outbox.size === 0, 50);
  expect(bus.published).toEqual([1, 2, 3]);
  expect(bus.attempts()).toBe(8);
  // Backoff doubled from 100 ms: 100 + 200 + 400 + 800 + 1000 before the sixth try.
  expect(clock.mono()).toBeGreaterThanOrEqual(2_500);
});

test("flush resolves once the queue is empty, or false when time runs out", async () => {
  const clock = new FakeClock();
  const down = new Outbox({ bus: flakyBus(Infinity), clock, log: silentLogger });
  down.push({ topic: "heartbeat", message: beat(1) });
  const flushed = down.flush(1_000);
  await clock.advance(1_000);
  expect(await flushed).toBe(false);
  down.close();

  const up = new Outbox({ bus: flakyBus(0), clock, log: silentLogger });
  up.push({ topic: "heartbeat", message: beat(1) });
  expect(await up.flush(1_000)).toBe(true);
});

test("throws at once on a message that fails its schema (a bug), instead of retrying it", () => {
  const outbox = new Outbox({ bus: flakyBus(0), clock: new FakeClock(), log: silentLogger });
  expect(() => outbox.push({ topic: "heartbeat", message: { node_id: "has space", heartbeat: "YES", timestamp: 1 } })).toThrow(/refusing to queue/);
});

/** A logger that keeps its lines. */
function recordingLog() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (msg: string) => void lines.push({ level, msg });
  return { lines, log: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: () => recordingLog().log } };
}

test("says once that a publish hangs unacknowledged (a cluster without quorum), keeps it queued, and says when the bus takes it", async () => {
  const clock = new FakeClock();
  let release: () => void = () => {};
  const bus = { publish: () => new Promise<void>((resolve) => (release = resolve)) };
  const { lines, log } = recordingLog();
  const outbox = new Outbox({ bus, clock, log: log as never, stallWarnMs: 5_000 });
  outbox.push({ topic: "heartbeat", message: beat(1) });
  await clock.advance(4_999);
  expect(lines.filter((l) => l.level === "warn")).toEqual([]);
  await clock.advance(60_000);
  expect(lines.filter((l) => l.level === "warn").map((l) => l.msg)).toEqual(["publish not acknowledged; the message stays queued until the bus takes it"]);
  expect(outbox.size).toBe(1);
  release();
  await settle();
  expect({ size: outbox.size, last: lines.at(-1)?.msg }).toEqual({ size: 0, last: "bus accepts messages again" });
});
