/** Fleets up to this size keep the base lead (8 drivers measured a 11 ms median skew with 250 ms). */
export const TRIGGER_LEAD_BASE_DRIVERS = 8;

/** Longest lead a fleet's size adds up to (a larger fleet should raise `triggerLeadMs` itself). */
export const TRIGGER_LEAD_MAX_MS = 2_000;

/**
 * How far after the trigger a test's common `start_at` is: `baseMs` (`triggerLeadMs`) plus
 * `perDriverMs` for each driver beyond TRIGGER_LEAD_BASE_DRIVERS, at most TRIGGER_LEAD_MAX_MS (or `baseMs` if
 * larger). Every driver must hold the trigger before `start_at`, or it starts late by the
 * difference; the trigger reaches N drivers through N consumers fetching from one broker, so
 * its delivery grows with N (64 drivers on one 2-core box: over a second with a fixed 250 ms).
 */
export function triggerLeadMs(baseMs: number, perDriverMs: number, drivers: number): number {
  const added = Math.max(0, drivers - TRIGGER_LEAD_BASE_DRIVERS) * Math.max(0, perDriverMs);
  return Math.max(baseMs, Math.min(baseMs + added, TRIGGER_LEAD_MAX_MS));
}
