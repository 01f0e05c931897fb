/**
 * The canonical serialization a signature or MAC covers: JSON with object keys sorted at every
 * depth, `undefined` members left out, no whitespace, and the protocol topic in front (so a
 * signed message of one topic is never valid on another). Both sides compute it from the
 * schema-parsed message (numbers already numbers, defaults filled), never from the raw bytes.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** Domain tag of everything signed or MACed, versioned so the format can change without ambiguity. */
export const SIGNING_CONTEXT = "kafka-loadtest/v1";

/** The bytes signed for `message` on `topic`, leaving out the fields named in `omit` (the signature itself). */
export function signingInput(topic: string, message: object, omit: readonly string[]): Uint8Array<ArrayBuffer> {
  const rest = Object.fromEntries(Object.entries(message).filter(([k]) => !omit.includes(k)));
  return new TextEncoder().encode(`${SIGNING_CONTEXT}\n${topic}\n${canonicalJson(rest)}`);
}
