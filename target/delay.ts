/** A response delay in milliseconds, fixed when `min_ms === max_ms`, otherwise uniform in [min_ms, max_ms]. */
export type DelayRange = { min_ms: number; max_ms: number };

/** No delay: the fast path is taken only with this range and no error rate. */
export const NO_DELAY: DelayRange = Object.freeze({ min_ms: 0, max_ms: 0 });

/** Longest delay accepted from a flag, env or query string (10 minutes). */
export const MAX_DELAY_MS = 600_000;

const DELAY_PATTERN = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/;

/** Parses `50` or `20-80` into a range; returns an error message for anything else. */
export function parseDelayRange(text: string): DelayRange | string {
  const match = DELAY_PATTERN.exec(text.trim());
  if (match === null) return "expected milliseconds like 50 or a range like 20-80";
  const min_ms = Number(match[1]);
  const max_ms = match[2] === undefined ? min_ms : Number(match[2]);
  if (min_ms > max_ms) return `range start ${min_ms} is above its end ${max_ms}`;
  if (max_ms > MAX_DELAY_MS) return `must be at most ${MAX_DELAY_MS} ms, got ${max_ms}`;
  return { min_ms, max_ms };
}

/** Picks one delay from the range; `random` returns a number in [0, 1). */
export function pickDelayMs(range: DelayRange, random: () => number): number {
  if (range.min_ms === range.max_ms) return range.min_ms;
  return range.min_ms + (range.max_ms - range.min_ms) * random();
}
