import type { Pacer } from "./pacer.ts";

/**
 * AVALANCHE: every send may start from the start time on, as fast as the loop's in-flight cap
 * lets it (closed model: a slot freed by a response takes the next send). Sends have no due time.
 */
export class AvalanchePacer implements Pacer {
  constructor(readonly startMs: number) {}

  readyAt(_i: number, _nowMs: number): number {
    return this.startMs;
  }

  start(_i: number, _nowMs: number): number {
    return NaN;
  }
}
