import type { Counts } from "./messages.ts";

/** All-zero outcome counts. */
export function zeroCounts(): Counts {
  return { sent: 0, completed: 0, status_2xx: 0, status_3xx: 0, status_4xx: 0, status_5xx: 0, timeout: 0, connection_error: 0, late: 0 };
}

/** Adds `more` into `into`, class by class; returns `into`. The optional `stopped` is 0 when absent and kept once either has it. */
export function addCounts(into: Counts, more: Counts): Counts {
  for (const key of Object.keys(into) as (keyof Counts)[]) into[key] = (into[key] ?? 0) + (more[key] ?? 0);
  if (more.stopped !== undefined && into.stopped === undefined) into.stopped = more.stopped;
  return into;
}
