import { expect, test } from "bun:test";
import { bottleneckText, judgeBottleneck } from "../../../bench/bottleneck.ts";
import { chooseCoreSplit, cpuListText, parseCpuList } from "../../../bench/core-split.ts";
import { coresBusy, parseCoreTicks, parseProcessTicks } from "../../../bench/cpu-sample.ts";
import { parseBenchCommand } from "../../../bench/options.ts";
import { parityVerdicts } from "../../../bench/parity.ts";
import { fromBombardierJson } from "../../../bench/peers/bombardier.ts";
import { fromVegetaJson } from "../../../bench/peers/vegeta.ts";
import { measureWindow, summarizePinned, type PinnedRun } from "../../../bench/pinned-compare.ts";
import { pinnedRows } from "../../../bench/pinned-table.ts";
import { onCores } from "../../../bench/pinned-target.ts";

test("bombardier's JSON result: every status class counts as a response, transport errors apart, latency µs → ms", () => {
  const result = fromBombardierJson({
    result: {
      timeTakenSeconds: 5,
      req1xx: 0,
      req2xx: 499_990,
      req3xx: 0,
      req4xx: 4,
      req5xx: 6,
      others: 2,
      errors: [{ description: "timeout", count: 3 }],
      latency: { percentiles: { "50": 550, "99": 2_100 } },
    },
  });
  expect(result).toEqual({ tool: "bombardier", requests: 500_000, duration_s: 5, rps: 100_000, p50_ms: 0.55, p99_ms: 2.1, errors: 5, non_2xx: 10, cpu_us_per_req: NaN });
});

test("vegeta's JSON report: status 0 is a failed request, duration is attack plus the last wait, ns → ms", () => {
  const result = fromVegetaJson({
    duration: 4_900_000_000,
    wait: 100_000_000,
    requests: 400_010,
    latencies: { "50th": 600_000, "99th": 3_000_000 },
    status_codes: { "200": 399_990, "503": 10, "0": 10 },
  });
  expect(result).toEqual({ tool: "vegeta", requests: 400_000, duration_s: 5, rps: 80_000, p50_ms: 0.6, p99_ms: 3, errors: 10, non_2xx: 10, cpu_us_per_req: NaN });
});

test("/proc/<pid>/stat: user + system ticks, even when the command name holds spaces and parentheses", () => {
  const fields = ["S", "1", "2", "3", "0", "-1", "4194304", "100", "0", "0", "0", "1234", "567", "0", "0", "20", "0", "4"];
  expect(parseProcessTicks(`4242 (bun) ${fields.join(" ")}`)).toBe(1801);
  expect(parseProcessTicks(`4242 (a b) (c)) ${fields.join(" ")}`)).toBe(1801);
  expect(parseProcessTicks("garbage")).toBeNaN();
});

test("/proc/stat: per-core busy share between two readings; idle and iowait are not busy", () => {
  const before = parseCoreTicks("cpu  9 9 9 9 9 0 0 0 0 0\ncpu0 100 0 50 800 50 0 0 0 0 0\ncpu1 10 0 10 1000 0 0 0 0 0 0\nintr 1 2 3");
  const after = parseCoreTicks("cpu  9 9 9 9 9 0 0 0 0 0\ncpu0 160 0 80 810 50 0 0 0 0 0\ncpu1 10 0 10 1100 0 0 0 0 0 0\nintr 1 2 3");
  expect(before.get(0)).toEqual({ busy: 150, total: 1000 });
  expect(coresBusy(before, after, [0])).toBe(0.9);
  expect(coresBusy(before, after, [1])).toBe(0);
  expect(coresBusy(before, after, [0, 1])).toBe(0.45);
  expect(coresBusy(before, after, [2])).toBeNaN();
});

test("core split: halves by default (tool low, target high), explicit lists, disjointness and bad lists named", () => {
  expect(chooseCoreSplit(2, {})).toEqual({ split: { tool: [0], target: [1] } });
  expect(chooseCoreSplit(16, {})).toEqual({ split: { tool: [0, 1, 2, 3, 4, 5, 6, 7], target: [8, 9, 10, 11, 12, 13, 14, 15] } });
  expect(chooseCoreSplit(16, { tool: "0" })).toEqual({ split: { tool: [0], target: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] } });
  expect(chooseCoreSplit(16, { tool: "0", target: "8-15" })).toEqual({ split: { tool: [0], target: [8, 9, 10, 11, 12, 13, 14, 15] } });
  expect(chooseCoreSplit(4, { target: "3" })).toEqual({ split: { tool: [0, 1, 2], target: [3] } });
  expect(chooseCoreSplit(4, { tool: "0-1", target: "1-3" })).toEqual({ error: "--tool-cpus and --target-cpus share core(s) 1: they must be disjoint" });
  expect(chooseCoreSplit(2, { tool: "0-1" })).toEqual({ error: "--tool-cpus / --target-cpus: each side needs at least one core" });
  expect(chooseCoreSplit(2, { target: "2" })).toEqual({ error: "--target-cpus: core 2 does not exist (this machine has cores 0-1)" });
  expect(chooseCoreSplit(1, {})).toEqual({ none: "this machine has 1 core: the target and the tool cannot have cores of their own" });
  expect(chooseCoreSplit(8, { off: true })).toEqual({ none: "pinning turned off (--no-pin)" });
  expect(parseCpuList("3-1", 8)).toBe("range 3-1 runs backwards");
  expect(parseCpuList("a", 8)).toBe('expected core numbers like 0 or 0-3,8, got "a"');
  expect(cpuListText([0, 1, 2, 3, 8, 10, 11])).toBe("0-3,8,10-11");
  expect(onCores([1], ["go-target", "--port", "0"])).toEqual(["taskset", "-c", "1", "go-target", "--port", "0"]);
});

test("bench flags: pinned cores from flags or the environment (flags win); --no-pin and --pinned-only", () => {
  const opts = (argv: string[], env: Record<string, string> = {}) => {
    const c = parseBenchCommand(argv, "R.md", env);
    return c.kind === "run" ? { pin: c.options.pin, pinnedOnly: c.options.pinnedOnly } : c;
  };
  expect(opts(["--tool-cpus", "0", "--target-cpus", "8-15"])).toEqual({ pin: { tool: "0", target: "8-15" }, pinnedOnly: false });
  expect(opts([], { BENCH_TOOL_CPUS: "2", BENCH_TARGET_CPUS: "3" })).toEqual({ pin: { tool: "2", target: "3" }, pinnedOnly: false });
  expect(opts(["--tool-cpus", "1"], { BENCH_TOOL_CPUS: "2" })).toEqual({ pin: { tool: "1" }, pinnedOnly: false });
  expect(opts(["--no-pin"])).toEqual({ pin: { off: true }, pinnedOnly: false });
  expect(opts(["--pinned-only"])).toEqual({ pin: {}, pinnedOnly: true });
  expect(opts(["--no-pin", "--pinned-only"])).toEqual({ kind: "invalid", errors: ["--no-pin and --pinned-only exclude each other"] });
  const peers = parseBenchCommand(["--peers", "ours,wrk", "--baseline", "/tmp/main", "--baseline", "/tmp/b"], "R.md");
  expect(peers.kind === "run" && [peers.options.peers, peers.options.baselines]).toEqual([["ours", "wrk"], ["/tmp/main", "/tmp/b"]]);
  expect(parseBenchCommand(["--peers", "ours,ab"], "R.md")).toEqual({ kind: "invalid", errors: ['--peers: expected some of ours, wrk, bombardier, vegeta, autocannon, fetch, wrk-our-headers, got "ours,ab"'] });
});

test("bottleneck: the saturated core set wins, the target first; other work on a core is called out", () => {
  expect(judgeBottleneck({ target: 0.97, targetCores: 0.99, tool: 0.75, toolCores: 0.8 })).toBe("target");
  expect(judgeBottleneck({ target: 0.5, targetCores: 0.6, tool: 0.95, toolCores: 0.97 })).toBe("tool");
  expect(judgeBottleneck({ target: 0.7, targetCores: 0.72, tool: 0.65, toolCores: 0.7 })).toBe("neither");
  expect(judgeBottleneck({ target: 0.3, targetCores: 1, tool: 0.25, toolCores: 1 })).toBe("contended");
  expect(judgeBottleneck({ target: 0.6, targetCores: 0.7, tool: 0.3, toolCores: 0.95 })).toBe("contended");
  expect(bottleneckText({ target: 0.3, targetCores: 1, tool: 0.25, toolCores: 1 })).toBe("contended (target core 100% busy, the target 30%; tool core 100%, the tool 25%)");
  expect(bottleneckText({ target: 0.97, targetCores: 0.99, tool: 0.75, toolCores: 0.8 })).toBe("target core (99% busy)");
  expect(bottleneckText({ target: 0.6, targetCores: 0.95, tool: 0.75, toolCores: 0.8 })).toBe("target core (95% busy); 35% of the target core not the target's");
  expect(bottleneckText({ target: 0.7, targetCores: 0.72, tool: 0.4, toolCores: 0.7 })).toBe("neither (target core 72%, tool core 70%); 30% of the tool core not the tool's");
});

const run = (target_rps: number, cpu: number, targetCores = 0.98): PinnedRun => ({
  tool: { tool: "x", requests: 1, duration_s: 5, rps: target_rps * 0.99, p50_ms: 0.5, p99_ms: 2, errors: 0, non_2xx: 0, cpu_us_per_req: NaN },
  target_rps,
  cpu_us_per_req: cpu,
  target_us_per_req: 9,
  load: { target: targetCores - 0.02, targetCores, tool: 0.75, toolCores: 0.8 },
  window_s: 3,
});

test("pinned medians per tool, and the parity verdicts against wrk (req/s ≥ 1.0×, CPU ≤ 1.1×)", () => {
  const ours = summarizePinned("ours", [run(100_000, 7.5), run(104_000, 7.3), run(90_000, 8)], null);
  const wrk = summarizePinned("wrk", [run(110_000, 6.3), run(112_000, 6.2), run(108_000, 6.4)], null);
  expect(ours.target_rps).toBe(100_000);
  expect(ours.cpu_us_per_req).toBe(7.5);
  const [rps, cpu] = parityVerdicts(64, ours, wrk);
  expect(rps!.met).toBe(false);
  expect(rps!.figure).toBe("0.91× (100,000 vs 110,000 req/s)");
  expect(cpu!.met).toBe(false);
  expect(cpu!.figure).toBe("1.19× (7.5 vs 6.3 µs)");
  const [rps2, cpu2] = parityVerdicts(16, summarizePinned("ours", [run(111_000, 6.5)], null), wrk);
  expect([rps2!.met, cpu2!.met]).toEqual([true, true]);
  const [missing] = parityVerdicts(16, ours, summarizePinned("wrk", [], "wrk is not installed"));
  expect(missing!.met).toBeNull();
  expect(missing!.figure).toBe("wrk not run: wrk is not installed");
});

test("the measuring window leaves out a warm-up and the tool's last second", () => {
  expect(measureWindow(5)).toEqual({ warmupMs: 1000, windowMs: 3000 });
  expect(measureWindow(2)).toEqual({ warmupMs: 400, windowMs: 600 });
  expect(measureWindow(1)).toEqual({ warmupMs: 200, windowMs: 500 });
});

test("pinned rows: the target's count, the tool's own, CPU, the target's cost, ours ÷ tool and the bottleneck; a skipped tool says why", () => {
  const ours = summarizePinned("ours", [run(100_000, 7.5)], null);
  const wrk = summarizePinned("wrk", [run(110_000, 6.3)], null);
  const rows = pinnedRows(64, [ours, wrk, summarizePinned("vegeta", [], "vegeta is not installed")], "ours");
  expect(rows[0]).toEqual(["64", "ours", "100,000", "99,000", "0.50", "2.00", "7.5", "75%", "9.00", "1.00×", "target core (98% busy)", ""]);
  expect(rows[1]![9]).toBe("0.91×");
  expect(rows[2]).toEqual(["64", "vegeta", "-", "-", "-", "-", "-", "-", "-", "-", "-", "vegeta is not installed"]);
});
