import { canonicalJson } from "../protocol/canonical.ts";
import type { TopicKey } from "../protocol/index.ts";
import { CLOCK_SKEW_MS, COMMAND_MAX_AGE_MS, REPLAY_IDS_REMEMBERED } from "./defaults.ts";
import { TRIGGER_HOLD_MS } from "../driver/defaults.ts";
import type { Verdict } from "./command-verifier.ts";

/** What makes a configuration the same one again: every field but the signature's own. */
function contentOf(message: object): string {
  const { signature: _s, issued_at: _i, key_id: _k, ...rest } = message as Record<string, unknown>;
  return canonicalJson(rest);
}

/**
 * Replay rules for validly signed commands, per topic (pure: time comes in as `now`):
 * - `test_config`: the orchestrator sends a test's configuration again right before its
 *   trigger, so the same content again is accepted (idempotent; the driver ignores one of a
 *   test it ran); a different content for a test id already seen is a `replay`, and so is any
 *   configuration more than `configAfterTriggerMs` after its test's trigger. Within that window
 *   it is accepted: configuration and trigger travel on different topics, so the trigger may
 *   come first (the driver holds it that long, TRIGGER_HOLD_MS).
 * - `trigger`: one per test id; a second one is a `replay` (it must never start a test again).
 * - `stop` and other topics: idempotent by design (the orchestrator repeats stops), never replays.
 * Any command issued before this guard started, beyond the clock skew, is a `replay` too: a
 * restarted driver remembers nothing, and must not run an old test replayed at it.
 * Ids are forgotten once their commands would be refused as expired anyway.
 */
export class ReplayGuard {
  private readonly configs = new Map<string, { content: string; at: number }>();
  private readonly triggered = new Map<string, number>();
  private readonly forgetAfterMs: number;

  constructor(
    private readonly startedAt: number,
    private readonly skewMs = CLOCK_SKEW_MS,
    maxAgeMs = COMMAND_MAX_AGE_MS,
    private readonly limit = REPLAY_IDS_REMEMBERED,
    private readonly configAfterTriggerMs = TRIGGER_HOLD_MS,
  ) {
    this.forgetAfterMs = maxAgeMs + skewMs;
  }

  /** Judges (and, when accepted, records) a command whose signature is valid. */
  check(topic: TopicKey, message: { test_id: string; issued_at?: number }, now: number): Verdict {
    this.forget(now);
    const id = message.test_id;
    if ((message.issued_at ?? 0) < this.startedAt - this.skewMs) {
      return { ok: false, reason: "replay", detail: `issued before this driver started (${id})` };
    }
    if (topic === "test_config") {
      const triggeredAt = this.triggered.get(id);
      if (triggeredAt !== undefined && now - triggeredAt > this.configAfterTriggerMs) {
        return { ok: false, reason: "replay", detail: `configuration of test ${id} ${Math.round((now - triggeredAt) / 1000)} s after its trigger` };
      }
      const content = contentOf(message);
      const seen = this.configs.get(id);
      if (seen && seen.content !== content) return { ok: false, reason: "replay", detail: `a different configuration for test ${id}, already configured` };
      if (!seen) this.remember(this.configs, id, { content, at: now });
      return { ok: true };
    }
    if (topic === "trigger") {
      if (this.triggered.has(id)) return { ok: false, reason: "replay", detail: `a second trigger for test ${id}` };
      this.remember(this.triggered, id, now);
    }
    return { ok: true };
  }

  private remember<V>(map: Map<string, V>, id: string, value: V): void {
    map.set(id, value);
    if (map.size > this.limit) map.delete(map.keys().next().value!);
  }

  private forget(now: number): void {
    for (const [id, seen] of this.configs) {
      if (now - seen.at <= this.forgetAfterMs) break;
      this.configs.delete(id);
    }
    for (const [id, at] of this.triggered) {
      if (now - at <= this.forgetAfterMs) break;
      this.triggered.delete(id);
    }
  }
}
