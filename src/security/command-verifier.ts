import { signingInput } from "../protocol/canonical.ts";
import { wireFieldsOf, type TopicKey } from "../protocol/index.ts";
import { CLOCK_SKEW_MS, COMMAND_MAX_AGE_MS } from "./defaults.ts";
import { ED25519, type TrustKey } from "./keys.ts";

/** Why a driver refused a command; counted by these names in its log and on the orchestrator's /metrics. */
export type RejectReason = "unsigned" | "unknown_key" | "bad_signature" | "expired" | "not_yet_valid" | "replay";

/** Every reason, in the order logs and metrics list them. */
export const REJECT_REASONS: readonly RejectReason[] = ["unsigned", "unknown_key", "bad_signature", "expired", "not_yet_valid", "replay"];

/** A verdict on one command: accepted, or refused with the reason and a sentence for the log. */
export type Verdict = { ok: true } | { ok: false; reason: RejectReason; detail: string };

/** The fields a signed command carries besides its own. */
interface SignedFields {
  key_id?: string;
  issued_at?: number;
  signature?: string;
}

/** Freshness limits of a verifier (defaults in security/defaults.ts). */
export interface VerifierOptions {
  maxAgeMs?: number;
  skewMs?: number;
}

/**
 * Checks a command's signature against the trusted keys, and its age; knows nothing of replays.
 * The signature is checked over the fields the command arrived with (`wireFieldsOf`), including
 * any a newer orchestrator added that this version's schema drops.
 */
export interface CommandVerifier {
  readonly keyIds: readonly string[];
  verify(topic: TopicKey, message: object, now: number): Promise<Verdict>;
}

/** A verifier trusting every key in `keys` (two or more during a rotation). */
export function createCommandVerifier(keys: readonly TrustKey[], options: VerifierOptions = {}): CommandVerifier {
  const { maxAgeMs = COMMAND_MAX_AGE_MS, skewMs = CLOCK_SKEW_MS } = options;
  const byId = new Map(keys.map((k) => [k.keyId, k.key]));
  return {
    keyIds: keys.map((k) => k.keyId),
    async verify(topic, message, now) {
      const { key_id, issued_at, signature } = message as SignedFields;
      if (signature === undefined || key_id === undefined || issued_at === undefined) {
        return { ok: false, reason: "unsigned", detail: "no signature, key_id or issued_at" };
      }
      const key = byId.get(key_id);
      if (!key) return { ok: false, reason: "unknown_key", detail: `signed by key ${key_id}, not one of the trusted ${[...byId.keys()].join(", ")}` };
      const valid = await crypto.subtle.verify(ED25519, key, Buffer.from(signature, "base64url"), signingInput(topic, wireFieldsOf(message), ["signature"]));
      if (!valid) return { ok: false, reason: "bad_signature", detail: `the signature does not match the message (altered, or not signed by key ${key_id})` };
      if (now - issued_at > maxAgeMs) return { ok: false, reason: "expired", detail: `issued ${Math.round((now - issued_at) / 1000)} s ago, more than ${maxAgeMs / 1000} s` };
      if (issued_at - now > skewMs) return { ok: false, reason: "not_yet_valid", detail: `issued ${Math.round((issued_at - now) / 1000)} s in the future, more than the ${skewMs / 1000} s clock skew allowed` };
      return { ok: true };
    },
  };
}
