import type { Issue, TestConfig } from "../protocol/index.ts";
import type { AbortConfig } from "./abort/abort-config.ts";
import type { NodeStatus } from "./registry.ts";

/**
 * Life of a test: `created` → `running` → `done` | `partial` | `failed`; `interrupted` by a
 * restart; `stopped` by a stop (a created test at once, a running one once its drivers settled).
 */
export type TestState = "created" | "running" | "done" | "partial" | "failed" | "interrupted" | "stopped";

/** States of a test that has not ended (a restart marks them `interrupted`). */
export const ACTIVE_STATES: ReadonlySet<TestState> = new Set(["created", "running"]);

/**
 * Where one participant stands in a test; `stopped` sent its final report before sending
 * its whole share (it was shut down mid-test).
 */
export type DriverOutcome = "waiting" | "running" | "final" | "stopped" | "rejected" | "dead" | "left" | "stalled";

/**
 * How long a summary-only driver (one that sends the brief's four latency figures and no
 * `final`) must send no report, while it still heartbeats, to count as finished.
 */
export const SUMMARY_QUIET_MS = 5_000;

/** How long past a stop's grace a stopped test waits for final reports by default. */
export const STOP_SLACK_MS = 5_000;

/** What fired an abort_on threshold (set by the threshold watcher). */
export interface StopThreshold {
  expression: string;
  observed: number;
  window_s: number;
}

/** A stop asked of a test: when, why, by whom, with which grace; `unconfirmed` once it ended. */
export interface TestStop {
  requested_at: number;
  reason: string;
  grace_ms: number;
  by: "user" | "threshold" | "restart";
  threshold?: StopThreshold;
  /** Participants that never confirmed the stop with a final report (set when the test ends). */
  unconfirmed?: string[];
}

/** A test as stored: its published configuration and its timeline. */
export interface TestRecord {
  test_id: string;
  state: TestState;
  config: TestConfig;
  /** Thresholds that stop the test automatically (`abort_on` of the request, defaults filled); orchestrator-side only. */
  abort?: AbortConfig;
  /** The node_ids alive when the test was created: the participants. */
  drivers: string[];
  created_at: number;
  triggered_at: number | null;
  /** When every driver was told to start sending. */
  start_at: number | null;
  ended_at: number | null;
  error: string | null;
  /** Set once a stop was asked for; the test then ends `stopped`. */
  stop?: TestStop;
  /**
   * Why the figures may not be what they seem, though the test ran: e.g. two driver processes
   * reported under one node_id (both are counted), a driver's clock off or its start uncorrected;
   * one sentence each. Absent when there is nothing to say.
   */
  warnings?: string[];
}

/** What a participant said on the driver_event topic and when it was last heard from about this test. */
export interface Participant {
  node_id: string;
  accepted_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  rejected: { error: string; issues: Issue[] } | null;
  /** Why the driver ended before sending its whole share (from its final report or TEST_FINISHED), if it did. */
  stopped?: string;
  /** Last report, driver event or "running this test" heartbeat (orchestrator time). */
  last_activity_at: number;
}

/** What {@link evaluateTest} needs to know of each participant. */
export interface ParticipantStatus {
  participant: Participant;
  final: boolean;
  reported: boolean;
  /** Registry status, undefined for a node the registry does not know. */
  node_status: NodeStatus | undefined;
  /** When the node entered that status. */
  status_since: number;
  /** Whether its reports carried only the brief's four latency figures (no counts, window or final). */
  summary_only?: boolean;
  /** Orchestrator time of its newest report (null: none yet). */
  last_report_at?: number | null;
}

export interface EvaluateOptions {
  /** A live participant silent about the test this long is given up on. */
  stallAfterMs: number;
  /** A participant that left is waited for this long: its final report may still be in flight. */
  leftGraceMs: number;
  /** A summary-only driver silent this long while it heartbeats has finished (default {@link SUMMARY_QUIET_MS}). */
  summaryQuietMs?: number;
  /** A stopped test waits this long past its grace for final reports, then ends without them (default {@link STOP_SLACK_MS}). */
  stopSlackMs?: number;
}

export type Evaluation =
  | { ended: false; outcomes: Record<string, DriverOutcome> }
  | {
      ended: true;
      state: "done" | "partial" | "failed" | "stopped";
      error: string | null;
      outcomes: Record<string, DriverOutcome>;
      /** For `stopped`: participants that never confirmed the stop with a final report. */
      unconfirmed?: string[];
    };

/** A participant that has not answered yet, last heard from at `now`. */
export function newParticipant(nodeId: string, now: number): Participant {
  return { node_id: nodeId, accepted_at: null, started_at: null, finished_at: null, rejected: null, last_activity_at: now };
}

/** Where one participant stands now; `waiting` and `running` are the unsettled outcomes. */
export function outcomeOf(state: TestState, p: ParticipantStatus, now: number, options: EvaluateOptions): DriverOutcome {
  if (p.final) return p.participant.stopped ? "stopped" : "final";
  if (p.participant.rejected) return "rejected";
  if (state !== "running") return "waiting";
  if (quietSummaryDriver(p, now, options)) return "final";
  if (p.node_status === undefined || p.node_status === "dead") return "dead";
  if (p.node_status === "left" && now - p.status_since >= options.leftGraceMs) return "left";
  if (now - p.participant.last_activity_at > options.stallAfterMs) return "stalled";
  return "running";
}

/**
 * A summary-only driver never sends `final`: it has finished once its reports stopped for
 * `summaryQuietMs` while it still heartbeats (alive or suspect), judged at the liveness time.
 */
function quietSummaryDriver(p: ParticipantStatus, now: number, options: EvaluateOptions): boolean {
  if (!p.summary_only || p.last_report_at == null) return false;
  if (p.node_status !== "alive" && p.node_status !== "suspect") return false;
  return now - p.last_report_at >= (options.summaryQuietMs ?? SUMMARY_QUIET_MS);
}

/**
 * Decides whether a test has ended. A running test ends once every participant has settled
 * (sent its final report, rejected the test, died, left or stalled), so a lost driver never
 * makes it hang: `done` when all sent finals, `failed` when all rejected or none reported,
 * `partial` otherwise. A created test fails as soon as every participant has rejected it.
 */
export function evaluateTest(state: TestState, participants: ParticipantStatus[], now: number, options: EvaluateOptions, stop?: TestStop): Evaluation {
  const outcomes: Record<string, DriverOutcome> = {};
  for (const p of participants) outcomes[p.participant.node_id] = outcomeOf(state, p, now, options);
  if (stop !== undefined && state === "running") return evaluateStopped(stop, participants, outcomes, now, options);
  const values = Object.values(outcomes);
  const allRejected = values.length > 0 && values.every((o) => o === "rejected");
  if (allRejected && (state === "created" || state === "running")) {
    const errors = participants.map((p) => `${p.participant.node_id}: ${p.participant.rejected?.error ?? "rejected"}`);
    return { ended: true, state: "failed", error: `every driver rejected the test (${errors.join("; ")})`, outcomes };
  }
  if (state !== "running" || values.some((o) => o === "running" || o === "waiting")) return { ended: false, outcomes };
  if (values.every((o) => o === "final")) return { ended: true, state: "done", error: null, outcomes };
  if (!participants.some((p) => p.reported)) {
    return { ended: true, state: "failed", error: `no driver reported (${describe(outcomes)})`, outcomes };
  }
  return { ended: true, state: "partial", error: `not every driver finished (${describe(outcomes)})${rejections(participants, outcomes)}`, outcomes };
}

/**
 * A running test that was asked to stop ends `stopped`, never `done` or `partial`: once every
 * participant has settled, or once the grace plus `stopSlackMs` has passed since the stop (a
 * driver that missed the stop, or whose final report is lost, cannot hold it open). Participants
 * without a final report by then (dead, stalled, still silent) are `unconfirmed`.
 */
function evaluateStopped(
  stop: TestStop,
  participants: ParticipantStatus[],
  outcomes: Record<string, DriverOutcome>,
  now: number,
  options: EvaluateOptions,
): Evaluation {
  const unsettled = Object.values(outcomes).some((o) => o === "running" || o === "waiting");
  if (unsettled && now < stop.requested_at + stop.grace_ms + (options.stopSlackMs ?? STOP_SLACK_MS)) return { ended: false, outcomes };
  const unconfirmed = participants.filter((p) => !p.final && !p.participant.rejected).map((p) => p.participant.node_id);
  const missing = unconfirmed.length > 0 ? `; no final report from ${unconfirmed.join(", ")}` : "";
  return { ended: true, state: "stopped", error: `stopped: ${stop.reason}${missing}`, outcomes, unconfirmed };
}

function describe(outcomes: Record<string, DriverOutcome>): string {
  return Object.entries(outcomes)
    .filter(([, o]) => o !== "final")
    .map(([id, o]) => `${id}: ${o}`)
    .join(", ");
}

/** The reasons of the drivers that rejected the test (a driver's edge policy names its rule), or "". */
function rejections(participants: ParticipantStatus[], outcomes: Record<string, DriverOutcome>): string {
  const reasons = participants
    .filter((p) => outcomes[p.participant.node_id] === "rejected" && p.participant.rejected)
    .map((p) => `${p.participant.node_id}: ${p.participant.rejected!.error}`);
  return reasons.length > 0 ? `; ${reasons.join("; ")}` : "";
}
