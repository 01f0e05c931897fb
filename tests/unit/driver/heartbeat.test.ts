import { expect, test } from "bun:test";
import { startHeartbeat } from "../../../src/driver/heartbeat.ts";
import type { Logger } from "../../../src/log.ts";
import { FakeClock, settle } from "./fake-clock.ts";

function recordingLog(): { lines: string[]; log: Logger } {
  const lines: string[] = [];
  const log: Logger = {
    debug: () => {},
    info: (msg) => void lines.push(`info ${msg}`),
    warn: (msg) => void lines.push(`warn ${msg}`),
    error: (msg) => void lines.push(`error ${msg}`),
    child: () => log,
  };
  return { lines, log };
}

test("a beat the bus neither takes nor refuses (no quorum) is reported once after the stall delay, and recovery is logged", async () => {
  const clock = new FakeClock();
  let release: () => void = () => {};
  let publishes = 0;
  const bus = {
    publish: () => {
      publishes++;
      return new Promise<void>((resolve) => (release = resolve));
    },
  };
  const { lines, log } = recordingLog();
  const stop = startHeartbeat({ bus, clock, log, key: "d1", beat: () => ({ node_id: "d1", heartbeat: "YES", timestamp: clock.now() }), intervalMs: 1_000, stallWarnMs: 5_000 });
  await clock.advance(4_000);
  expect(lines).toEqual([]);
  await clock.advance(20_000);
  // One beat in flight the whole time: no pile-up, one warning.
  expect({ publishes, lines }).toEqual({ publishes: 1, lines: ["warn heartbeat not published"] });
  release();
  await settle();
  await clock.advance(1_000);
  expect(lines).toEqual(["warn heartbeat not published", "info heartbeats reach the bus again"]);
  expect(publishes).toBe(2);
  stop();
});
