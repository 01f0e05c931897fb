import { z } from "zod";
import { wireId, wireTimestamp } from "./fields.ts";
import { SIGNATURE_FIELDS } from "./signature-fields.ts";

/**
 * One driver's half of an NTP-style exchange (RFC 5905 §8): `t1`, the driver's send time of its
 * latest heartbeat (its `timestamp`), and `t2`, the orchestrator's receive time of it.
 */
export const ClockSampleSchema = z.object({
  node_id: wireId(),
  t1: wireTimestamp(),
  t2: wireTimestamp(),
});
/** One driver's (t1, t2) in a clock message. */
export type ClockSample = z.infer<typeof ClockSampleSchema>;

/** Most samples one clock message carries (about 80 bytes each); the rest wait for the next message. */
export const CLOCK_SAMPLES_MAX = 4096;

/** Most instances listed per node_id in `twins` (the orchestrator remembers as many). */
export const CLOCK_TWIN_INSTANCES_MAX = 8;
/** Most node_ids listed in `twins`; more conflicts than this wait for the next message. */
export const CLOCK_TWINS_MAX = 256;

/**
 * A node_id that two or more live driver processes use at once, as the orchestrator sees it from
 * their heartbeats (`/nodes` shows it as `conflict`): each instance with its start time (null
 * when its heartbeats did not say). The younger of two exits (see driver/twin-guard.ts).
 */
export const ClockTwinSchema = z.object({
  node_id: wireId(),
  instances: z.array(z.object({ instance_id: wireId(), started_at: wireTimestamp().nullable() })).max(CLOCK_TWIN_INSTANCES_MAX),
});
/** One conflicted node_id in a clock message's `twins`. */
export type ClockTwin = z.infer<typeof ClockTwinSchema>;

/**
 * Extension topic `clock`: the orchestrator's answer to the drivers' heartbeats, broadcast every
 * ~2 s (sooner for a driver it has not answered yet). `t3` is its send time; each driver finds
 * its own sample, stamps `t4` on receipt and computes offset = ((t2 − t1) + (t3 − t4)) / 2 and
 * delay = (t4 − t1) − (t3 − t2). Signed like every orchestrator→driver command when signing is on:
 * a forged one could move a driver's start.
 */
export const ClockSchema = z.object({
  t3: wireTimestamp(),
  samples: z.array(ClockSampleSchema).max(CLOCK_SAMPLES_MAX),
  /**
   * Added (optional): the node_ids in conflict now, empty when there are none. Present, it also
   * tells the drivers that this orchestrator watches for twins, so they need not read the
   * fleet's heartbeats themselves; absent (an older orchestrator), they do.
   */
  twins: z.array(ClockTwinSchema).max(CLOCK_TWINS_MAX).optional(),
  ...SIGNATURE_FIELDS,
});
/** A message of the `clock` topic. */
export type ClockMessage = z.infer<typeof ClockSchema>;

/**
 * Added heartbeat fields: the driver's current clock offset estimate (orchestrator clock minus
 * its own, ms; positive means the driver's clock is behind), its uncertainty (± delay / 2 of the
 * exchange it comes from), and whether the driver applies it to start times.
 */
export const HEARTBEAT_CLOCK_FIELDS = {
  clock_offset_ms: z.number().finite().optional(),
  clock_uncertainty_ms: z.number().finite().nonnegative().optional(),
  clock_correction: z.boolean().optional(),
};

/**
 * Added fields of a metrics report: the offset the driver used for this test and whether it
 * corrected its start with it, and the first and last send on the orchestrator's timeline
 * (the driver's own `first_send_at` / `last_send_at` plus that offset).
 */
export const REPORT_CLOCK_FIELDS = {
  clock_offset_ms: z.number().finite().optional(),
  clock_corrected: z.boolean().optional(),
  first_send_at_orchestrator: wireTimestamp().optional(),
  last_send_at_orchestrator: wireTimestamp().optional(),
};

/**
 * Added fields of a TEST_STARTED driver event: the clock offset the driver started with (absent
 * when it had none), whether its start was corrected by it, and a warning when it was not.
 */
export const STARTED_CLOCK_FIELDS = {
  clock_offset_ms: z.number().finite().optional(),
  clock_corrected: z.boolean().optional(),
  warning: z.string().max(1024).optional(),
};
