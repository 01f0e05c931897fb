import { z } from "zod";

/** Turns a numeric string ("250", " 1.5 ") into a number; leaves anything else for the schema to judge. */
function numericString(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const trimmed = value.trim();
  if (trimmed === "") return value;
  const parsed = Number(trimmed);
  return Number.isNaN(parsed) ? value : parsed;
}

/** A finite number that may arrive quoted, as in the brief's examples ("<CUSTOM_DELAY>"). */
export const wireNumber = (inner: z.ZodNumber = z.number()) => z.preprocess(numericString, inner.finite());

/** A non-negative integer that may arrive quoted. */
export const wireCount = (max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(numericString, z.number().int().nonnegative().max(max));

/** A latency in milliseconds (float) that may arrive quoted. */
export const wireLatencyMs = () => z.preprocess(numericString, z.number().finite().nonnegative());

/**
 * A timestamp as epoch milliseconds. Accepts a number, a numeric string (seconds or
 * milliseconds: values below 1e11 are read as seconds) or an ISO-8601 date string.
 */
export const wireTimestamp = () =>
  z.preprocess((value) => {
    const n = numericString(value);
    if (typeof n === "number") return n < 1e11 ? Math.round(n * 1000) : n;
    if (typeof n === "string") {
      const ms = Date.parse(n);
      return Number.isNaN(ms) ? n : ms;
    }
    return n;
  }, z.number().finite().nonnegative());

/** Identifiers (node, test, report): printable, bounded, so a forged giant id cannot bloat the store. */
export const wireId = () =>
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces");

/** The brief's "YES" flag; accepts any letter case and a boolean true. */
export const yesFlag = () =>
  z.preprocess(
    (v) => (v === true ? "YES" : typeof v === "string" ? v.toUpperCase() : v),
    z.literal("YES"),
  );
