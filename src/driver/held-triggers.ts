import type { Trigger } from "../protocol/index.ts";
import { TRIGGER_HOLD_MS } from "./defaults.ts";

/**
 * Triggers that arrived before their configuration (the two travel on different topics),
 * each kept until a deadline: `holdMs` (30 s) after it arrived, or an earlier one given at
 * `hold`. An expired trigger is no longer handed back; `expire` removes and returns them so the
 * driver can answer each (TEST_REJECTED) instead of dropping it in silence. Pure: time comes in
 * as an argument.
 */
export class HeldTriggers {
  private readonly held = new Map<string, { trigger: Trigger; deadlineMs: number }>();

  constructor(private readonly holdMs = TRIGGER_HOLD_MS) {}

  /** Keeps a trigger for a test this driver has not been configured for (yet); returns its deadline. */
  hold(trigger: Trigger, nowMs: number, deadlineMs = nowMs + this.holdMs): number {
    const at = Math.min(deadlineMs, nowMs + this.holdMs);
    this.held.set(trigger.test_id, { trigger, deadlineMs: at });
    return at;
  }

  /** Removes and returns the held trigger of `testId`, if it has not expired. */
  take(testId: string, nowMs: number): Trigger | undefined {
    const entry = this.held.get(testId);
    if (entry === undefined || nowMs > entry.deadlineMs) return undefined;
    this.held.delete(testId);
    return entry.trigger;
  }

  /** Removes and returns the triggers whose deadline has passed. */
  expire(nowMs: number): Trigger[] {
    const expired: Trigger[] = [];
    for (const [testId, entry] of this.held) {
      if (nowMs <= entry.deadlineMs) continue;
      this.held.delete(testId);
      expired.push(entry.trigger);
    }
    return expired;
  }

  /** Forgets every held trigger. */
  clear(): void {
    this.held.clear();
  }
}
