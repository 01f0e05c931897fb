import type { Trigger } from "../protocol/index.ts";
import { TRIGGER_HOLD_MS } from "./defaults.ts";

/**
 * Triggers that arrived before their configuration (the two travel on different topics),
 * kept for `holdMs` (30 s) by receive time. Pure: time comes in as an argument.
 */
export class HeldTriggers {
  private readonly held = new Map<string, { trigger: Trigger; receivedAtMs: number }>();

  constructor(private readonly holdMs = TRIGGER_HOLD_MS) {}

  /** Keeps a trigger for a test this driver has not been configured for (yet). */
  hold(trigger: Trigger, nowMs: number): void {
    this.expire(nowMs);
    this.held.set(trigger.test_id, { trigger, receivedAtMs: nowMs });
  }

  /** Removes and returns the held trigger of `testId`, if it has not expired. */
  take(testId: string, nowMs: number): Trigger | undefined {
    this.expire(nowMs);
    const entry = this.held.get(testId);
    this.held.delete(testId);
    return entry?.trigger;
  }

  private expire(nowMs: number): void {
    for (const [testId, entry] of this.held) {
      if (nowMs - entry.receivedAtMs > this.holdMs) this.held.delete(testId);
    }
  }
}
