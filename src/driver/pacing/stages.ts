import { Ramp, type RampStage } from "../../protocol/ramp.ts";
import type { Pacer } from "./pacer.ts";

/**
 * `stages`: a ramping arrival rate (k6's ramping-arrival-rate). The test's send g is due where the
 * integral of the rate from the start reaches g (protocol/ramp.ts: the first send at the start,
 * `⌈integral⌉` sends in all, each due time solved in closed form from the absolute start, so no
 * drift); after the last stage there is no send. Open model, like TSUNAMI: a send waits for its
 * due time only. This plan's send i is the TEST's send `seqOffset + i × seqStride`, so the
 * shares of n workers (worker-split.ts) interleave into exactly the whole test's schedule.
 */
export class StagesPacer implements Pacer {
  private readonly ramp: Ramp;

  constructor(
    readonly startMs: number,
    stages: readonly RampStage[],
    startRate = 0,
    private readonly seqOffset = 0,
    private readonly seqStride = 1,
  ) {
    this.ramp = new Ramp(stages, startRate);
  }

  /** When this plan's send `i` is due (monotonic ms); Infinity once the stages are over. */
  dueAt(i: number): number {
    return this.startMs + this.ramp.dueAt(this.seqOffset + i * this.seqStride);
  }

  readyAt(i: number, _nowMs: number): number {
    return this.dueAt(i);
  }

  start(i: number, _nowMs: number): number {
    return this.dueAt(i);
  }
}
