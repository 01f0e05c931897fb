import type { RunPlan } from "./run-plan.ts";

/**
 * How a driver's share of a test is split over N Bun Workers (`--workers N`), pure: worker k
 * of n takes the test's sends k, k+n, k+2n, ... so together they send exactly `plan.count`,
 * in the same global order and at the same global times as one loop would.
 */

/** One worker's part of a plan: its own plan and the monotonic ms its loop starts at. */
export interface WorkerShare {
  /** 0-based index of the worker. */
  index: number;
  plan: RunPlan;
  /** When this worker's loop begins (its TSUNAMI schedule's origin, its token bucket's start). */
  startMs: number;
}

/**
 * How many workers a plan really uses: the requested number, capped by the plan's concurrency
 * (each worker needs at least one slot) and its count (each worker at least one send).
 */
export function workersFor(requested: number, plan: Pick<RunPlan, "count" | "concurrency">): number {
  return Math.max(1, Math.min(Math.floor(requested), plan.concurrency, plan.count));
}

/** `total` split over `n` parts as evenly as it goes: part k gets one more while k < total mod n. */
export function splitEvenly(total: number, n: number, k: number): number {
  return Math.floor(total / n) + (k < total % n ? 1 : 0);
}

/**
 * Worker k's share of `plan` when n workers run it from `startMs`:
 * - count: the sends k, k+n, ... (`ceil((count - k) / n)` of them);
 * - TSUNAMI: due at `startMs + (k + j·n)·delay` (origin shifted by k·delay, spacing n·delay);
 * - a throughput cap: rate/n each, worker k's first token k/rate after the start, so the
 *   tokens interleave (AVALANCHE; TSUNAMI keeps its schedule's offset);
 * - concurrency: split so the parts sum to the plan's (each at least 1, as n ≤ concurrency);
 * - seqOffset/seqStride: its send j is the test's send `offset + (k + j·n)·stride` (a scenario's
 *   request source picks and templates by the test's index).
 * `n` must come from {@link workersFor}.
 */
export function shareOf(plan: RunPlan, startMs: number, n: number, k: number): WorkerShare {
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(k) && k >= 0 && k < n)) {
    throw new RangeError(`worker ${k} of ${n} is not a valid share`);
  }
  const tsunami = plan.mode === "TSUNAMI";
  const throughput = plan.throughput;
  const offsetMs = tsunami ? k * plan.delayMs : throughput !== undefined ? (k * 1000) / throughput : 0;
  return {
    index: k,
    startMs: startMs + offsetMs,
    plan: {
      ...plan,
      count: splitEvenly(plan.count, n, k),
      delayMs: plan.delayMs * n,
      ...(throughput !== undefined ? { throughput: throughput / n } : {}),
      concurrency: splitEvenly(plan.concurrency, n, k),
      seqOffset: (plan.seqOffset ?? 0) + k * (plan.seqStride ?? 1),
      seqStride: (plan.seqStride ?? 1) * n,
    },
  };
}

/** Every worker's share, in worker order. */
export function splitPlan(plan: RunPlan, startMs: number, n: number): WorkerShare[] {
  return Array.from({ length: n }, (_, k) => shareOf(plan, startMs, n, k));
}

/**
 * Parses `--workers`: a whole number of at least 1, or `auto` for `cores` (the machine's
 * available parallelism). Returns the number, or an error message naming the flag.
 */
export function parseWorkers(raw: string | undefined, cores: number): number | string {
  if (raw === undefined) return 1;
  const text = raw.trim();
  if (text === "auto") return Math.max(1, Math.floor(cores));
  const n = Number(text);
  if (text === "" || !Number.isSafeInteger(n) || n < 1 || n > MAX_WORKERS) {
    return `--workers must be auto or a whole number from 1 to ${MAX_WORKERS}, got "${raw}"`;
  }
  return n;
}

/** Most workers one driver process may run (a thread each, plus one pacing timer thread each). */
export const MAX_WORKERS = 256;
