import type { Pacer } from "./pacer.ts";

/**
 * TSUNAMI send times: send i is due at `startMs + i × delayMs`, computed from the absolute
 * start each time (never by adding delays up, never after a response), so it cannot drift.
 * Open model: a send waits for its due time only, never for an earlier response.
 */
export class TsunamiPacer implements Pacer {
  constructor(
    readonly startMs: number,
    readonly delayMs: number,
  ) {}

  /** When send `i` (0-based) is due. */
  dueAt(i: number): number {
    return this.startMs + i * this.delayMs;
  }

  readyAt(i: number, _nowMs: number): number {
    return this.dueAt(i);
  }

  start(i: number, _nowMs: number): number {
    return this.dueAt(i);
  }
}
