import { CLOCK_SAMPLES_MAX, type ClockMessage, type ClockSample } from "../protocol/index.ts";

/** How often the orchestrator answers the drivers' heartbeats with a clock message. */
export const CLOCK_INTERVAL_MS = 2_000;
/** How often the orchestrator looks whether a clock message is due (a new driver is answered this soon). */
export const CLOCK_POLL_MS = 250;
/** Drivers remembered as answered; past this the oldest are forgotten (answered at once again if they come back). */
const ANSWERED_REMEMBERED = 10_000;

/**
 * The orchestrator's half of the NTP-style exchange: it keeps each driver's latest heartbeat
 * send time `t1` and its own receive time `t2`, and hands them out in one clock message every
 * `intervalMs` (or at the next poll when a driver it never answered is waiting, so a fresh
 * driver has an estimate within a second of its first heartbeat). Each pair goes out once.
 * Memory is bounded: pending pairs are at most one per driver heard since the last message, and
 * the answered set keeps the newest ANSWERED_REMEMBERED drivers. Pure: time comes in as an argument.
 */
export class ClockExchangeBook {
  private pending = new Map<string, ClockSample>();
  private readonly answered = new Set<string>();
  private lastSentAt = -Infinity;

  constructor(private readonly intervalMs = CLOCK_INTERVAL_MS) {}

  /** A heartbeat from `nodeId` sent at `t1` (its clock) was received at `t2` (ours). */
  note(nodeId: string, t1: number, t2: number): void {
    this.pending.set(nodeId, { node_id: nodeId, t1, t2 });
  }

  /** The clock message to send now with `t3 = now`, or null when none is due; `urgent` sends one before the interval is up. */
  take(now: number, urgent = false): ClockMessage | null {
    if (this.pending.size === 0) return null;
    const newcomer = [...this.pending.keys()].some((id) => !this.answered.has(id));
    if (!newcomer && !urgent && now - this.lastSentAt < this.intervalMs) return null;
    const samples = [...this.pending.values()].slice(0, CLOCK_SAMPLES_MAX);
    for (const s of samples) this.pending.delete(s.node_id);
    for (const s of samples) {
      this.answered.delete(s.node_id);
      this.answered.add(s.node_id);
    }
    for (const id of this.answered) {
      if (this.answered.size <= ANSWERED_REMEMBERED) break;
      this.answered.delete(id);
    }
    this.lastSentAt = now;
    return { t3: now, samples };
  }
}
