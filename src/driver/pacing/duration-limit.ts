import type { Pacer } from "./pacer.ts";

/**
 * `duration_s`: another pacer's sends, cut at `endMs` (the test's start plus its duration). A send
 * that would start at or after the end is not made: `readyAt` answers Infinity and the loop sends
 * no more (those in flight complete). Works over every mode, the throughput cap and stages, as it
 * only looks at when the inner pacer would let the send start.
 */
export class DurationLimit implements Pacer {
  constructor(
    private readonly inner: Pacer,
    readonly endMs: number,
  ) {}

  readyAt(i: number, nowMs: number): number {
    const readyMs = this.inner.readyAt(i, nowMs);
    return Math.max(readyMs, nowMs) >= this.endMs ? Infinity : readyMs;
  }

  start(i: number, nowMs: number): number {
    return this.inner.start(i, nowMs);
  }
}
