import { z } from "zod";
import { wireTimestamp } from "./fields.ts";

/**
 * Added fields of a signed orchestrator→driver command (test_config, trigger, stop): who
 * signed (`key_id`, the first 16 hex digits of the SHA-256 of the raw Ed25519 public key), when
 * (`issued_at`, epoch ms) and the Ed25519 `signature` (base64url) over the canonical form of
 * every other field (see canonical.ts). A peer that ignores them reads the message as before.
 */
export const SIGNATURE_FIELDS = {
  key_id: z.string().regex(/^[0-9a-f]{16}$/, "must be 16 lowercase hex digits").optional(),
  issued_at: wireTimestamp().optional(),
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, "must be a base64url Ed25519 signature").optional(),
};

/** Added field of a driver's report: HMAC-SHA256 (base64url) of its canonical form under the fleet's report key. */
export const REPORT_MAC_FIELD = {
  report_mac: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "must be a base64url HMAC-SHA256").optional(),
};

/** Added field of register and heartbeat: the driver refuses commands that are not signed by a key it trusts. */
export const VERIFIES_FIELD = {
  verifies_signatures: z.boolean().optional(),
};
