import type { Counts } from "./messages.ts";

/** All-zero outcome counts. */
export function zeroCounts(): Counts {
  return { sent: 0, completed: 0, status_2xx: 0, status_3xx: 0, status_4xx: 0, status_5xx: 0, timeout: 0, connection_error: 0, late: 0 };
}

/** Adds `more` into `into`, class by class (an optional class absent on one side counts 0); returns `into`. */
export function addCounts(into: Counts, more: Counts): Counts {
  const sum = into as Record<string, number>;
  for (const [key, n] of Object.entries(more)) if (typeof n === "number") sum[key] = (sum[key] ?? 0) + n;
  return into;
}
