import type { TestType } from "../../protocol/index.ts";
import type { RunPlan } from "../run-plan.ts";
import { TokenBucket } from "../token-bucket.ts";
import { AvalanchePacer } from "./avalanche.ts";
import { DurationLimit } from "./duration-limit.ts";
import { StagesPacer } from "./stages.ts";
import { ThroughputCap } from "./throughput-cap.ts";
import { TsunamiPacer } from "./tsunami.ts";

/**
 * When each send of a test may start, behind the SendLoop (vegeta's `Pacer`, k6's executors):
 * the loop asks {@link Pacer.readyAt} before every send, arms its one timer for the answer when
 * it lies ahead, and calls {@link Pacer.start} as it sends. A pacer is pure (time comes in as an
 * argument, it arms no timer and does no IO), so it is tested with plain numbers. The loop keeps
 * everything else: the count, the in-flight cap, the stop flag and the timer.
 */
export interface Pacer {
  /**
   * The earliest monotonic ms at which send `i` (0-based, in send order) may start, asked at
   * `nowMs`: at or before `nowMs` means now. `Infinity`: there is no send `i`, the pacer is done
   * and the loop sends no more. Changes nothing, so the loop may ask again at any time.
   */
  readyAt(i: number, nowMs: number): number;
  /**
   * Send `i` starts at `nowMs` (only once `readyAt` allowed it): the pacer takes what the send
   * uses (a token). Returns the send's due time, from which its due latency and lateness are
   * measured (coordinated omission); NaN when sends have no due time (unpaced).
   */
  start(i: number, nowMs: number): number;
}

/** Builds the pacer of a test mode from its plan; the loop's sends begin at `startMs` (monotonic). */
export type PacerFactory = (plan: RunPlan, startMs: number) => Pacer;

/** One pacer a mode: a new mode is a new file and an entry here, never an edit of the loop. */
const PACER_OF_MODE: Record<TestType, PacerFactory> = {
  AVALANCHE: (_plan, startMs) => new AvalanchePacer(startMs),
  TSUNAMI: (plan, startMs) => new TsunamiPacer(startMs, plan.delayMs),
};

/**
 * The pacer a plan runs with, chosen once: its mode's (or the stages', which win over the mode's
 * delay when the plan has them), under the token-bucket cap when the plan has a `throughput`,
 * cut at `startMs + durationMs` when it has a duration and at the stages' end when it has stages. `startMs` is the monotonic ms sending
 * begins (the schedule's origin, the bucket's start); a share of a plan (worker k of n) passes
 * its own plan and start.
 */
export function pacerFor(plan: RunPlan, startMs: number): Pacer {
  const base = plan.stages !== undefined ? stagesPacer(plan, startMs) : PACER_OF_MODE[plan.mode](plan, startMs);
  const capped = plan.throughput === undefined ? base : new ThroughputCap(base, new TokenBucket({ ratePerSec: plan.throughput, startMs }));
  const endMs = scheduleEndMs(plan);
  return endMs === null ? capped : new DurationLimit(capped, startMs + endMs);
}

/**
 * When a plan's sending must stop, in ms from its start: its duration, and the stages' sum (the
 * test lasts its stages: a send the throughput cap held back past their end is not made); null
 * when neither is set.
 */
function scheduleEndMs(plan: RunPlan): number | null {
  const stagesMs = plan.stages?.reduce((sum, s) => sum + s.durationMs, 0);
  if (stagesMs === undefined) return plan.durationMs ?? null;
  return plan.durationMs === undefined ? stagesMs : Math.min(stagesMs, plan.durationMs);
}

/** The stages pacer of a plan (or of a worker's share: the test's seq from seqOffset/seqStride). */
function stagesPacer(plan: RunPlan, startMs: number): Pacer {
  const stages = plan.stages ?? [];
  return new StagesPacer(startMs, stages, plan.startThroughput ?? 0, plan.seqOffset ?? 0, plan.seqStride ?? 1);
}

/** Whether a plan's sends have due times (TSUNAMI, stages): its stats then measure due latency and lateness. */
export function isPaced(plan: Pick<RunPlan, "mode" | "stages">): boolean {
  return plan.mode === "TSUNAMI" || plan.stages !== undefined;
}

/**
 * Whether a plan's schedule may end before its count is sent (a duration, stages): a loop that
 * sent fewer than `count` then finished its schedule, it was not stopped.
 */
export function endsBeforeCount(plan: Pick<RunPlan, "durationMs" | "stages">): boolean {
  return plan.durationMs !== undefined || plan.stages !== undefined;
}
