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
