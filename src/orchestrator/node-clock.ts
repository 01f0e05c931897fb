import type { Heartbeat } from "../protocol/index.ts";

/** A driver's clock as its heartbeats describe it (the `clock` of a `/nodes` entry). */
export interface NodeClock {
  /** Orchestrator clock minus the driver's (ms): positive means the driver's clock is behind; null until measured. */
  offset_ms: number | null;
  /** ± half the round trip of the exchange the offset comes from; null until measured. */
  uncertainty_ms: number | null;
  /** Whether the driver converts start times with the offset (false: `--no-clock-correction`). */
  correction: boolean;
  /** |offset| above the orchestrator's `clockWarnMs`. */
  skewed: boolean;
  /** What is wrong, for people: null when nothing is. */
  flag: string | null;
}

/** The orchestrator's default threshold: a driver whose clock is further off than this is flagged. */
export const CLOCK_WARN_MS = 50;

/** How an offset reads: "1500 ms behind", "3 ms ahead". */
export function describeOffset(offsetMs: number): string {
  return `${Math.abs(Math.round(offsetMs))} ms ${offsetMs >= 0 ? "behind" : "ahead"}`;
}

/** The clock of a driver from its heartbeat; undefined for a driver that does not measure it (older versions). */
export function nodeClockOf(message: Heartbeat, warnMs = CLOCK_WARN_MS): NodeClock | undefined {
  if (message.clock_correction === undefined && message.clock_offset_ms === undefined) return undefined;
  const offset = message.clock_offset_ms ?? null;
  const uncertainty = message.clock_uncertainty_ms ?? null;
  const correction = message.clock_correction ?? true;
  const skewed = offset !== null && Math.abs(offset) > warnMs;
  const problems: string[] = [];
  if (skewed) problems.push(`clock ${describeOffset(offset)} the orchestrator's (more than ${warnMs} ms)${correction ? ": its starts are corrected" : ""}`);
  if (!correction) problems.push(offset === null ? "clock correction off, offset not measured yet" : "clock correction off (--no-clock-correction): it starts on its own clock");
  if (uncertainty !== null && uncertainty > warnMs) problems.push(`offset uncertain by ±${Math.round(uncertainty)} ms`);
  return { offset_ms: offset, uncertainty_ms: uncertainty, correction, skewed, flag: problems.length > 0 ? problems.join("; ") : null };
}

/**
 * Warnings for a test about to start on these drivers: one per participant whose clock is
 * flagged, or that does not report one at all. Empty when every clock is fine.
 */
export function clockWarnings(nodes: readonly { node_id: string; clock?: NodeClock }[]): string[] {
  return nodes.flatMap((n) => (n.clock?.flag ? [`${n.node_id}: ${n.clock.flag}`] : []));
}
