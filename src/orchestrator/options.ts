import { DEFAULT_RETAIN_RAW_MS, DEFAULT_SNAPSHOT_EVERY_MS } from "./compact-store.ts";
import { SUMMARY_QUIET_MS } from "./test-state.ts";

/** The orchestrator core's tunables; every default lives here. */
export interface OrchestratorOptions {
  /** Interval of the drivers' heartbeats; a node is suspect after 1.5 of them. */
  heartbeatIntervalMs: number;
  /** Silence after which a node is dead (3 missed beats). */
  deadAfterMs: number;
  /** Period of the snapshot tick. */
  tickMs: number;
  /** How far ahead of the trigger the common start time is set, so drivers start together. */
  triggerLeadMs: number;
  /** Added to `triggerLeadMs` for each driver of a test beyond the first 8 (see trigger-lead.ts). */
  triggerLeadPerDriverMs: number;
  /** A live participant silent about a running test this long is given up on. */
  stallAfterMs: number;
  /**
   * How long a participant that left is waited for: its final report went out before its
   * deregistration, but on another topic, whose consumer may lag behind (a flood of messages).
   */
  leftGraceMs: number;
  /** The bus is taken to be down once it has received nothing for this long (it polls every ~100 ms). */
  busStaleMs: number;
  /**
   * Longest wait after the bus receives again before silence counts towards death: the
   * drivers' producers and outboxes reconnect on their own backoff (see docs/reliability.md).
   */
  busRecoveryGraceMs: number;
  /**
   * After a stop's grace, how much longer a stopped test waits for its drivers' final reports
   * (their last in-flight aborts, the report's trip over the bus) before it ends without them.
   */
  stopSlackMs: number;
  /** A stop is published again for a test at most this often (heartbeats saying a driver still runs it). */
  stopRepeatMs: number;
  /**
   * A summary-only driver (reports with just the brief's four latency figures, never `final`)
   * has finished its share once it sent no report for this long while it still heartbeats.
   */
  summaryQuietMs: number;
  /** Consumer group of the collect subscriptions. */
  group: string;
  /**
   * A running test fails once a bus topic has been degraded (missing, or recreated and not yet
   * resubscribed) this long while it ran: the bus heals in seconds, so longer means it cannot.
   */
  busDegradedFailMs: number;
  /** A dead or departed node is forgotten (memory and store) this long after it died or left. */
  forgetDeadAfterMs: number;
  /** Most dead or departed nodes kept; beyond it the longest-dead are forgotten first. */
  maxDeadNodes: number;
  /** Most nodes known from heartbeats alone (never registered); past it unknown ids are refused. */
  maxUnregisteredNodes: number;
  /** A driver whose clock is off by more than this is flagged on /nodes, and a test started on it warns. */
  clockWarnMs: number;
  /** How often the drivers' heartbeats are answered with a clock message (the offset exchange). */
  clockIntervalMs: number;
  /** Compact store: a running test's state is snapshotted this often (see compact-store.ts). */
  snapshotEveryMs: number;
  /** Compact store: raw reports kept this long once a snapshot covers them; Infinity keeps all. */
  retainRawMs: number;
}

export const DEFAULT_ORCHESTRATOR_OPTIONS: OrchestratorOptions = {
  heartbeatIntervalMs: 1_000,
  deadAfterMs: 3_000,
  tickMs: 1_000,
  triggerLeadMs: 250,
  triggerLeadPerDriverMs: 10,
  stallAfterMs: 15_000,
  leftGraceMs: 5_000,
  busStaleMs: 1_000,
  busRecoveryGraceMs: 10_000,
  stopSlackMs: 5_000,
  stopRepeatMs: 1_000,
  summaryQuietMs: SUMMARY_QUIET_MS,
  group: "orchestrator",
  busDegradedFailMs: 30_000,
  forgetDeadAfterMs: 24 * 60 * 60 * 1000,
  maxDeadNodes: 10_000,
  maxUnregisteredNodes: 1_000,
  clockWarnMs: 50,
  clockIntervalMs: 2_000,
  snapshotEveryMs: DEFAULT_SNAPSHOT_EVERY_MS,
  retainRawMs: DEFAULT_RETAIN_RAW_MS,
};

/** Options with the defaults filled in. */
export function resolveOptions(options: Partial<OrchestratorOptions> = {}): OrchestratorOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_ORCHESTRATOR_OPTIONS, ...defined };
}
