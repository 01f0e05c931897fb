import { join } from "node:path";
import type { DriverNodeJob, DriverNodeResult } from "../children/driver-node.ts";
import { runJsonChildWithCpu } from "../child-process.ts";
import type { BenchContext, Section, SectionReport, Verdict } from "../section.ts";
import { median, ratio } from "../summary.ts";
import { fmt, fmtRatio, markdownTable } from "../table.ts";

const CHILD = join(import.meta.dir, "..", "children", "driver-node.ts");

/** Connections of the comparison (the throughput section's headline). */
const CONNECTIONS = 64;

/** Worker counts compared: the in-thread loop and two Bun Workers. */
export const WORKER_COUNTS = [1, 2] as const;

/** Most CPU per request two workers may cost over one (the budget: +10%). */
export const MAX_CPU_RISE = 1.1;

/** One measured run of one worker count. */
export interface WorkersRun {
  workers: number;
  rps: number;
  /** Whole process, startup and JIT warm-up included. */
  cpu_us_per_req: number;
  /** Between the second 1 s report and the last before the final (NaN when the run was too short). */
  steady_cpu_us_per_req: number;
  completed: number;
  p50_ms: number;
}

/** The comparison table: medians per worker count. */
export function workersTable(runs: readonly WorkersRun[]): string {
  const rows = WORKER_COUNTS.map((n) => {
    const mine = runs.filter((r) => r.workers === n);
    const med = (f: (r: WorkersRun) => number, digits = 1) => fmt(median(mine.map(f)), digits);
    return [`${n}`, med((r) => r.rps, 0), med((r) => r.steady_cpu_us_per_req), med((r) => r.cpu_us_per_req), med((r) => r.p50_ms, 2), `${mine.length}`];
  });
  return markdownTable(["--workers", ">req/s (median)", ">CPU µs/req steady", ">CPU µs/req whole run", ">p50 ms", ">runs"], rows);
}

/** One driver process (bench/children/driver-node.ts) on `workers`, AVALANCHE at c=64 for `seconds`. */
async function measure(ctx: BenchContext, workers: number, seconds: number): Promise<WorkersRun> {
  const job: DriverNodeJob = { url: ctx.target.pingUrl, mode: "AVALANCHE", count: 100_000_000, concurrency: CONNECTIONS, stop_after_ms: seconds * 1000, workers };
  const { value, cpu_us } = await runJsonChildWithCpu<DriverNodeResult>(`driver --workers ${workers}`, ["bun", CHILD, JSON.stringify(job)], { timeoutMs: seconds * 1000 + 30_000 });
  const completed = value.counts.completed;
  const steady = value.steady !== null && value.steady.completed > 0 ? value.steady.cpu_us / value.steady.completed : NaN;
  return { workers, completed, rps: completed / (value.elapsed_ms / 1000), cpu_us_per_req: cpu_us / completed, steady_cpu_us_per_req: steady, p50_ms: value.metrics.median_latency };
}

/**
 * Multi-core drivers on this machine: one driver process with `--workers 1` (the in-thread
 * loop) and `--workers 2`, alternated, CPU µs per request of the whole process (every thread)
 * and req/s. On a 2-core box shared with the target, req/s cannot scale; the CPU per request
 * shows what the workers cost (the budget is +10%). docs/fleet.md has the recipe for scaling
 * on a larger machine with taskset.
 */
export const workersSection: Section = {
  id: "workers",
  title: "Multi-core drivers: --workers 1 vs 2",
  async run(ctx: BenchContext): Promise<SectionReport> {
    const runs: WorkersRun[] = [];
    for (let round = 0; round < ctx.repeats; round++) {
      for (const n of WORKER_COUNTS) {
        const run = await measure(ctx, n, ctx.duration_s);
        ctx.progress(`  workers ${n}: ${fmt(run.rps)} req/s, ${fmt(run.steady_cpu_us_per_req, 1)} µs CPU/req steady, ${fmt(run.cpu_us_per_req, 1)} whole run`);
        runs.push(run);
      }
    }
    const cpu = (n: number) => median(runs.filter((r) => r.workers === n).map((r) => r.steady_cpu_us_per_req));
    const whole = (n: number) => median(runs.filter((r) => r.workers === n).map((r) => r.cpu_us_per_req));
    const rise = ratio(cpu(2), cpu(1));
    const verdicts: Verdict[] = [
      {
        target: "CPU µs/req with --workers 2 ≤ 1.10× --workers 1 (steady state)",
        figure: `${fmtRatio(rise)} (${fmt(cpu(2), 1)} vs ${fmt(cpu(1), 1)} µs)`,
        met: Number.isFinite(rise) ? rise <= MAX_CPU_RISE : null,
        why:
          `user + system time of the driver process (every thread) per response, from its second report to its last; over the ` +
          `whole run, startup and each worker's own JIT warm-up included: ${fmt(whole(2), 1)} vs ${fmt(whole(1), 1)} µs (${fmtRatio(ratio(whole(2), whole(1)))})`,
      },
    ];
    const markdown = [
      `${ctx.repeats} round(s) of ${ctx.duration_s} s per worker count, alternated; one driver process (bench/children/driver-node.ts, ` +
        `the real createDriver on a memory bus), AVALANCHE, concurrency ${CONNECTIONS} split over the workers, GET ${ctx.target.pingUrl}. ` +
        "CPU µs/req: the process's user + system time (every thread) per response; *steady* from the driver's second 1 s report to its " +
        "last before the final (startup and JIT warm-up left out: each Worker is its own VM and compiles the hot path again), *whole run* " +
        "from spawn to exit. Runs shorter than 4 s have no steady figure.",
      "",
      workersTable(runs),
    ].join("\n");
    return { id: "workers", title: this.title, markdown, verdicts };
  },
};
