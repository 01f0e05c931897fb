/** Trust and policy constants of the fleet, in one place. Milliseconds throughout. */

/** A signed command older than this (by its `issued_at`) is refused as `expired`. */
export const COMMAND_MAX_AGE_MS = 5 * 60_000;

/** Clock difference allowed between orchestrator and driver: a command issued further in the future is `not_yet_valid`. */
export const CLOCK_SKEW_MS = 30_000;

/** Test ids remembered against replay (they are forgotten anyway once their commands would be expired). */
export const REPLAY_IDS_REMEMBERED = 100_000;
