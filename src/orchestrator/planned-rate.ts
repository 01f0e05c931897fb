// The rate a test's configuration plans, what the dashboard draws beside the achieved
// requests per second. Pure: a configuration in, a piecewise-linear line out.
import type { TestConfig } from "../protocol/index.ts";
import { Ramp } from "../protocol/ramp.ts";

/** A rate over time: vertices `[t_s, requests/s]`, linear between them, 0 after the last. */
export type RateLine = [number, number][];

/** The fields of a configuration the planned rate reads. */
export type RatePlanFields = Pick<
  TestConfig,
  "test_type" | "test_message_delay" | "message_count_per_driver" | "target_throughput" | "duration_s" | "stages" | "start_throughput" | "drivers"
>;

/**
 * One driver's planned requests/s over the test, or null when it plans none (an AVALANCHE without
 * a throughput cap sends as fast as the target answers). Stages: their ramp (stages win over
 * TSUNAMI's delay); TSUNAMI: 1000 / delay; AVALANCHE with a cap: the cap. Then the throughput
 * cap (min of the two: the rate a cap holds the schedule to, an approximation while a held-back
 * schedule catches up), cut at `duration_s`, the stages' end and the count (where the line's
 * integral reaches `message_count_per_driver`).
 */
export function driverRateLine(config: RatePlanFields): RateLine | null {
  const cap = config.target_throughput;
  let line: RateLine;
  if (config.stages !== undefined) {
    const ramp = new Ramp(
      config.stages.map((s) => ({ durationMs: s.duration_s * 1000, target: s.target_throughput })),
      config.start_throughput ?? 0,
    );
    line = ramp.vertices().map(([ms, rate]) => [ms / 1000, rate]);
  } else {
    const delay = config.test_message_delay ?? 0;
    const rate = config.test_type === "TSUNAMI" && delay > 0 ? 1000 / delay : cap;
    if (rate === undefined) return null;
    line = [
      [0, rate],
      [Infinity, rate],
    ];
  }
  if (cap !== undefined) line = capLine(line, cap);
  const countEnd = timeOfIntegral(line, config.message_count_per_driver);
  return cutLine(line, Math.min(config.duration_s ?? Infinity, countEnd));
}

/**
 * The whole fleet's planned requests/s (each driver runs the whole configuration), or null when
 * the test plans none. `drivers` defaults to the configuration's driver list.
 */
export function plannedRateLine(config: RatePlanFields, drivers = config.drivers?.length ?? 1): RateLine | null {
  const line = driverRateLine(config);
  return line === null ? null : line.map(([t, rate]) => [t, rate * drivers]);
}

/**
 * Requests the fleet plans to send in second `second` of the test (from its start): the planned
 * rate's integral over `[second, second + 1)`, per driver times the drivers; null when the test
 * plans no rate. What the achieved requests/s of that second is compared with.
 */
export function plannedRateAt(config: RatePlanFields, second: number, drivers = config.drivers?.length ?? 1): number | null {
  const line = driverRateLine(config);
  return line === null ? null : integrate(line, second, second + 1) * drivers;
}

/** The integral of a line over `[fromS, toS]` (0 outside its vertices). */
export function integrate(line: RateLine, fromS: number, toS: number): number {
  let sum = 0;
  for (let i = 0; i + 1 < line.length; i++) {
    const [t0, r0] = line[i]!;
    const [t1, r1] = line[i + 1]!;
    const a = Math.max(t0, fromS);
    const b = Math.min(t1, toS);
    if (!(b > a)) continue;
    const at = (t: number) => (t1 === Infinity ? r0 : r0 + ((r1 - r0) * (t - t0)) / (t1 - t0));
    sum += ((at(a) + at(b)) / 2) * (b - a);
  }
  return sum;
}

/** The line held to at most `cap`, with a vertex where it crosses the cap. */
function capLine(line: RateLine, cap: number): RateLine {
  const out: RateLine = [];
  for (let i = 0; i < line.length; i++) {
    const [t, r] = line[i]!;
    const prev = line[i - 1];
    if (prev !== undefined && (prev[1] - cap) * (r - cap) < 0 && Number.isFinite(t)) {
      out.push([prev[0] + ((cap - prev[1]) * (t - prev[0])) / (r - prev[1]), cap]);
    }
    out.push([t, Math.min(r, cap)]);
  }
  return out;
}

/** When the line's integral from 0 reaches `x` (Infinity if it never does). */
function timeOfIntegral(line: RateLine, x: number): number {
  let before = 0;
  for (let i = 0; i + 1 < line.length; i++) {
    const [t0, r0] = line[i]!;
    const [t1, r1] = line[i + 1]!;
    const whole = t1 === Infinity ? Infinity : ((r0 + r1) / 2) * (t1 - t0);
    if (before + whole >= x) {
      const need = x - before;
      if (t1 === Infinity || r1 === r0) return r0 > 0 ? t0 + need / r0 : Infinity;
      // need = r0·τ + slope/2·τ², solved without cancellation.
      const slope = (r1 - r0) / (t1 - t0);
      return t0 + (2 * need) / (r0 + Math.sqrt(Math.max(0, r0 * r0 + 2 * slope * need)));
    }
    before += whole;
  }
  return Infinity;
}

/** The line up to `endS` (a vertex there), nothing after it; an unbounded line ends at its last finite vertex. */
function cutLine(line: RateLine, endS: number): RateLine {
  const out: RateLine = [];
  for (let i = 0; i < line.length; i++) {
    const [t, r] = line[i]!;
    if (t < endS) {
      out.push([t, r]);
      continue;
    }
    const prev = line[i - 1];
    if (prev !== undefined && Number.isFinite(endS)) {
      const at = Number.isFinite(t) ? prev[1] + ((r - prev[1]) * (endS - prev[0])) / (t - prev[0]) : prev[1];
      out.push([endS, at]);
    }
    break;
  }
  return out;
}
