/**
 * A ramping arrival rate (k6's ramping-arrival-rate), pure: stages whose rate runs linearly from
 * the previous stage's target (the first from `startRate`) to their own over their duration.
 * One rule for the driver's stages pacer (when each send is due) and the orchestrator's planned
 * rate (what the dashboard draws beside the achieved one). Rates in requests/s, times in ms from
 * the ramp's start.
 *
 * Send g (0-based) is due at the first moment after which the integral of the rate exceeds g:
 * the first send at the start (once the rate is above 0), the last before the ramp's end, and
 * the ramp sends `⌈integral⌉` in all (exactly the integral when it is whole). Each due time is
 * solved in closed form from the absolute start (a quadratic within its stage), so it never drifts.
 */

/** One stage of a ramp: the rate moves linearly to `target` requests/s over `durationMs`. */
export interface RampStage {
  durationMs: number;
  target: number;
}

/** A piecewise-linear rate: the driver's schedule and the planned-rate line come from it. */
export class Ramp {
  /** Start ms of each stage, and the end of the last at index `stages.length`. */
  private readonly startsMs: number[] = [0];
  /** Integral of the rate (sends) up to each stage's start, and the whole at `stages.length`. */
  private readonly sendsBefore: number[] = [0];
  /** Rate (per ms) at each stage's start, and the last target at `stages.length`. */
  private readonly ratesPerMs: number[];
  /** The stage the latest due time fell in: sends move forward, so the search starts there. */
  private cursor = 0;

  constructor(
    readonly stages: readonly RampStage[],
    startRate = 0,
  ) {
    this.ratesPerMs = [startRate / 1000];
    for (const [j, stage] of stages.entries()) {
      const r0 = this.ratesPerMs[j]!;
      const r1 = stage.target / 1000;
      this.ratesPerMs.push(r1);
      this.startsMs.push(this.startsMs[j]! + stage.durationMs);
      this.sendsBefore.push(this.sendsBefore[j]! + ((r0 + r1) / 2) * stage.durationMs);
    }
  }

  /** How long the ramp lasts (the sum of its stages). */
  get totalMs(): number {
    return this.startsMs[this.stages.length]!;
  }

  /** The integral of the rate over the whole ramp. */
  get integral(): number {
    return this.sendsBefore[this.stages.length]!;
  }

  /** The integral of the rate from the start to `tMs` (sends planned by then, as a real number). */
  integralTo(tMs: number): number {
    if (!(tMs > 0)) return 0;
    if (tMs >= this.totalMs) return this.integral;
    const j = this.stageAt(tMs);
    const tau = tMs - this.startsMs[j]!;
    const r0 = this.ratesPerMs[j]!;
    const slope = (this.ratesPerMs[j + 1]! - r0) / this.stages[j]!.durationMs;
    return this.sendsBefore[j]! + r0 * tau + (slope * tau * tau) / 2;
  }

  /**
   * When send `g` is due (ms from the start): the first moment after which the integral exceeds
   * `g`; Infinity when the ramp ends first (g ≥ integral). Closed form within the stage, so due
   * times are exact and never accumulate error.
   */
  dueAt(g: number): number {
    if (!(g >= 0 && g < this.integral - 1e-9)) return Infinity;
    const j = this.stageOfSend(g);
    const x = g - this.sendsBefore[j]!;
    const d = this.stages[j]!.durationMs;
    const r0 = this.ratesPerMs[j]!;
    const slope = (this.ratesPerMs[j + 1]! - r0) / d;
    // Root of slope/2·τ² + r0·τ − x = 0 in its cancellation-free form (no 0/0 at x = 0).
    const root = Math.sqrt(Math.max(0, r0 * r0 + 2 * slope * x));
    const tau = x === 0 ? 0 : (2 * x) / (r0 + root);
    return this.startsMs[j]! + Math.min(d, tau);
  }

  /** The rate's vertices `[ms, requests/s]`: linear between them, 0 after the last. */
  vertices(): [number, number][] {
    return this.startsMs.map((t, j) => [t, this.ratesPerMs[j]! * 1000]);
  }

  /** The stage `tMs` falls in (0 ≤ tMs < totalMs). */
  private stageAt(tMs: number): number {
    let j = 0;
    while (j < this.stages.length - 1 && tMs >= this.startsMs[j + 1]!) j++;
    return j;
  }

  /** The stage whose integral holds send `g`: sendsBefore[j] ≤ g < sendsBefore[j + 1]. */
  private stageOfSend(g: number): number {
    let j = this.cursor;
    if (g < this.sendsBefore[j]!) j = 0;
    while (j < this.stages.length - 1 && g >= this.sendsBefore[j + 1]!) j++;
    this.cursor = j;
    return j;
  }
}
