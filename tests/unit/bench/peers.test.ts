import { expect, test } from "bun:test";
import { rotation } from "../../../bench/compare.ts";
import { parseBenchCommand } from "../../../bench/options.ts";
import { fromAutocannonJson } from "../../../bench/peers/autocannon.ts";
import { fromWrkJson } from "../../../bench/peers/wrk.ts";

test("wrk's Lua report becomes requests per second and milliseconds, errors and non-2xx apart", () => {
  const result = fromWrkJson({ requests: 500_000, duration_us: 5_000_000, p50_us: 650, p99_us: 2_500, connect: 1, read: 2, write: 0, status: 7, timeout: 3 });
  expect(result).toEqual({ tool: "wrk", requests: 500_000, duration_s: 5, rps: 100_000, p50_ms: 0.65, p99_ms: 2.5, errors: 6, non_2xx: 7, cpu_us_per_req: NaN });
});

test("autocannon's JSON summary becomes requests per second over its measured duration", () => {
  const result = fromAutocannonJson({ duration: 5, errors: 1, timeouts: 2, non2xx: 3, latency: { p50: 1, p99: 4 }, requests: { total: 250_000 } });
  expect(result).toEqual({ tool: "autocannon", requests: 250_000, duration_s: 5, rps: 50_000, p50_ms: 1, p99_ms: 4, errors: 3, non_2xx: 3, cpu_us_per_req: NaN });
});

test("each round runs the tools in a rotated order so none always goes first", () => {
  expect([0, 1, 2, 3].map((round) => rotation(["a", "b", "c"], round).join(""))).toEqual(["abc", "bca", "cab", "abc"]);
});

test("bench flags: --quick shortens runs and writes nothing; bad flags are all reported", () => {
  expect(parseBenchCommand(["--quick"], "R.md")).toEqual({
    kind: "run",
    options: { quick: true, sections: expect.any(Array), repeats: 1, duration_s: 2, fleetSizes: [8, 32, 64], out: null, pin: {}, pinnedOnly: false, peers: null, baselines: [] },
  });
  expect(parseBenchCommand(["--only", "rate,bogus", "--repeats", "0"], "R.md")).toEqual({
    kind: "invalid",
    errors: ['--only: unknown section "bogus" (known: throughput, profile, concurrency, rate, tsunami, memory, orchestrator, skew, clock-skew, size, workers, fleet, soak, scenario)', '--repeats: expected a positive integer, got "0"'],
  });
  expect(parseBenchCommand(["--only", "fleet", "--fleet", "8"], "R.md")).toEqual({
    kind: "run",
    options: { quick: false, sections: ["fleet"], repeats: 3, duration_s: 5, fleetSizes: [8], out: null, pin: {}, pinnedOnly: false, peers: null, baselines: [] },
  });
  expect(parseBenchCommand(["--fleet", "8,x"], "R.md")).toEqual({ kind: "invalid", errors: ['--fleet: expected driver counts like 8,32,64, got "8,x"'] });
  const full = parseBenchCommand([], "R.md");
  expect(full.kind === "run" && full.options.out).toBe("R.md");
});
