import type { Issue, TestConfig } from "../protocol/index.ts";
import type { NodeStatus } from "./registry.ts";

/** Life of a test: `created` → `running` → `done` | `partial` | `failed`; `interrupted` by a restart. */
export type TestState = "created" | "running" | "done" | "partial" | "failed" | "interrupted";

/** States of a test that has not ended (a restart marks them `interrupted`). */
export const ACTIVE_STATES: ReadonlySet<TestState> = new Set(["created", "running"]);

/**
 * Where one participant stands in a test; `stopped` sent its final report before sending
 * its whole share (it was shut down mid-test).
 */
export type DriverOutcome = "waiting" | "running" | "final" | "stopped" | "rejected" | "dead" | "left" | "stalled";

/** A test as stored: its published configuration and its timeline. */
export interface TestRecord {
  test_id: string;
  state: TestState;
  config: TestConfig;
  /** The node_ids alive when the test was created: the participants. */
  drivers: string[];
  created_at: number;
  triggered_at: number | null;
  /** When every driver was told to start sending. */
  start_at: number | null;
  ended_at: number | null;
  error: string | null;
  /**
   * Why the figures may not be what they seem, though the test ran: e.g. two driver processes
   * reported under one node_id (both are counted). Absent when there is nothing to say.
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
}

export interface EvaluateOptions {
  /** A live participant silent about the test this long is given up on. */
  stallAfterMs: number;
  /** A participant that left is waited for this long: its final report may still be in flight. */
  leftGraceMs: number;
}

export type Evaluation =
  | { ended: false; outcomes: Record<string, DriverOutcome> }
  | { ended: true; state: "done" | "partial" | "failed"; error: string | null; outcomes: Record<string, DriverOutcome> };

export function newParticipant(nodeId: string, now: number): Participant {
  return { node_id: nodeId, accepted_at: null, started_at: null, finished_at: null, rejected: null, last_activity_at: now };
}

/** Where one participant stands now; `waiting` and `running` are the unsettled outcomes. */
export function outcomeOf(state: TestState, p: ParticipantStatus, now: number, options: EvaluateOptions): DriverOutcome {
  if (p.final) return p.participant.stopped ? "stopped" : "final";
  if (p.participant.rejected) return "rejected";
  if (state !== "running") return "waiting";
  if (p.node_status === undefined || p.node_status === "dead") return "dead";
  if (p.node_status === "left" && now - p.status_since >= options.leftGraceMs) return "left";
  if (now - p.participant.last_activity_at > options.stallAfterMs) return "stalled";
  return "running";
}

/**
 * Decides whether a test has ended. A running test ends once every participant has settled
 * (sent its final report, rejected the test, died, left or stalled), so a lost driver never
 * makes it hang: `done` when all sent finals, `failed` when all rejected or none reported,
 * `partial` otherwise. A created test fails as soon as every participant has rejected it.
 */
export function evaluateTest(state: TestState, participants: ParticipantStatus[], now: number, options: EvaluateOptions): Evaluation {
  const outcomes: Record<string, DriverOutcome> = {};
  for (const p of participants) outcomes[p.participant.node_id] = outcomeOf(state, p, now, options);
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
  return { ended: true, state: "partial", error: `not every driver finished (${describe(outcomes)})`, outcomes };
}

function describe(outcomes: Record<string, DriverOutcome>): string {
  return Object.entries(outcomes)
    .filter(([, o]) => o !== "final")
    .map(([id, o]) => `${id}: ${o}`)
    .join(", ");
}
