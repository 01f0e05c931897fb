import { describe, expect, test } from "bun:test";
import { exchangeEstimate, OffsetFilter, type ClockExchange } from "../../../src/driver/offset-filter.ts";
import { rng as random } from "../../helpers/rng.ts";


/**
 * One exchange at true time `atMs` against a driver whose clock reads true time minus `offsetMs`
 * (so orchestrator minus driver = offsetMs): `upMs` from driver to orchestrator, `holdMs` at the
 * orchestrator, `downMs` back. Stamps rounded to whole ms as on the wire when `wholeMs`.
 */
function exchange(atMs: number, offsetMs: number, upMs: number, holdMs: number, downMs: number, wholeMs = false): ClockExchange {
  const r = wholeMs ? Math.round : (x: number) => x;
  return { t1: r(atMs - offsetMs), t2: r(atMs + upMs), t3: r(atMs + upMs + holdMs), t4: r(atMs + upMs + holdMs + downMs - offsetMs) };
}

describe("exchangeEstimate", () => {
  test("computes RFC 5905's offset and delay from the four timestamps", () => {
    // Driver 1500 ms behind, 4 ms up, 700 ms held, 2 ms down: offset off by (4 − 2) / 2.
    expect(exchangeEstimate(exchange(1_000_000, 1_500, 4, 700, 2))).toEqual({ offset_ms: 1_501, delay_ms: 6, uncertainty_ms: 3 });
  });
});

describe("OffsetFilter", () => {
  test("converges to within ±(min delay)/2 of the true offset on asymmetric, jittery delays", () => {
    const rand = random(15);
    let now = 0;
    const filter = new OffsetFilter({ now: () => now });
    const trueOffset = -1_537.25;
    const results: { error: number; bound: number }[] = [];
    const delays: number[] = [];
    for (let i = 0; i < 64; i++) {
      now += 2_000;
      // Upstream (heartbeat behind reports in the producer) is slower and far more jittery than downstream.
      const up = 3 + 40 * rand() ** 3;
      const down = 1 + 6 * rand() ** 2;
      const ex = exchange(1_800_000_000_000 + now, trueOffset, up, 2_000 * rand(), down);
      delays.push(up + down);
      const estimate = filter.add(ex);
      const windowMin = Math.min(...delays.slice(-8));
      results.push({ error: Math.abs(estimate.offset_ms - trueOffset), bound: windowMin / 2 });
    }
    // Every estimate is from the window's shortest round trip, so its error is within half of it.
    for (const { error, bound } of results) expect(error).toBeLessThanOrEqual(bound + 1e-9);
    // And that bound is small once the window holds a quiet exchange: a few ms, not the 40 ms of jitter.
    const late = results.slice(8).map((r) => r.bound);
    expect(Math.max(...late)).toBeLessThan(10);
  });

  test("with whole-millisecond stamps, as on the wire, the error stays within (min delay)/2 + 1 ms", () => {
    const rand = random(7);
    let now = 0;
    const filter = new OffsetFilter({ now: () => now });
    const trueOffset = 1_500.4;
    for (let i = 0; i < 40; i++) {
      now += 2_000;
      const up = 2 + 20 * rand() ** 2;
      const down = 0.5 + 3 * rand();
      const estimate = filter.add(exchange(1_800_000_000_000 + now + rand(), trueOffset, up, 1_000 * rand(), down, true));
      expect(Math.abs(estimate.offset_ms - trueOffset)).toBeLessThanOrEqual(estimate.delay_ms / 2 + 1);
    }
  });

  test("follows a step of the driver's clock within one window of exchanges", () => {
    let now = 0;
    const filter = new OffsetFilter({ now: () => now });
    const at = (i: number) => 1_800_000_000_000 + i * 2_000;
    // Before the step: a very quiet exchange (1 ms round trip) is the best of the window.
    for (let i = 0; i < 8; i++) filter.add(exchange(at(i), 0, i === 7 ? 0.5 : 5, 300, i === 7 ? 0.5 : 5));
    expect(filter.best()!.offset_ms).toBeCloseTo(0, 6);
    // The driver's clock jumps 1 s ahead (a VM resumed): the offset becomes −1000.
    const after: number[] = [];
    for (let i = 8; i < 16; i++) {
      now += 2_000;
      after.push(filter.add(exchange(at(i), -1_000, 5, 300, 5)).offset_ms);
    }
    // The quiet old sample holds the estimate until it leaves the window, then the new offset wins.
    expect(after.slice(0, 7).every((o) => Math.abs(o) < 1)).toBe(true);
    expect(after[7]).toBeCloseTo(-1_000, 6);
  });

  test("drops samples older than maxAgeMs, so a long silence leaves no stale estimate", () => {
    let now = 0;
    const filter = new OffsetFilter({ now: () => now, maxAgeMs: 60_000 });
    filter.add(exchange(1_800_000_000_000, 250, 2, 100, 2));
    expect(filter.best()!.offset_ms).toBe(250);
    now = 60_001;
    expect(filter.best()).toBeNull();
  });
});
