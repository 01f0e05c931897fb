import type { DriverEvent, MetricsReport } from "../protocol/index.ts";
import { applyReport, createAggregate, twinsOf, type ApplyResult, type TestAggregate } from "./aggregate.ts";
import type { NodeRegistry } from "./registry.ts";
import { buildTestView, type TestView } from "./snapshot.ts";
import {
  evaluateTest,
  newParticipant,
  type DriverOutcome,
  type EvaluateOptions,
  type Evaluation,
  type Participant,
  type ParticipantStatus,
  type TestRecord,
} from "./test-state.ts";

type NodeLookup = Pick<NodeRegistry, "get">;

/** A test the orchestrator is following: its record, its participants' answers and its aggregate. */
export class LiveTest {
  readonly aggregate: TestAggregate;
  readonly participants: Map<string, Participant>;

  constructor(
    readonly record: TestRecord,
    now: number,
  ) {
    this.aggregate = createAggregate(record.drivers);
    this.participants = new Map(record.drivers.map((id) => [id, newParticipant(id, now)]));
  }

  /** Rebuilds a test from its stored reports (after a restart). */
  static restore(record: TestRecord, reports: { report: MetricsReport; received_at: number }[], now: number): LiveTest {
    const test = new LiveTest(record, now);
    for (const { report, received_at } of reports) test.applyReport(report, received_at);
    return test;
  }

  get test_id(): string {
    return this.record.test_id;
  }

  /**
   * Folds a report in and notes the driver as active. A report from a second process with the
   * participant's node_id is counted too, and the test is marked with a warning; only the
   * participant's own process decides whether it stopped early.
   */
  applyReport(report: MetricsReport, now: number): ApplyResult {
    const twinsBefore = this.aggregate.twins.size;
    const result = applyReport(this.aggregate, report, now);
    if (result === "accepted") this.touch(report.node_id, now);
    const p = this.participants.get(report.node_id);
    const own = this.aggregate.drivers.get(report.node_id)?.instance_id === (report.instance_id ?? null);
    if (result === "accepted" && report.final && report.stopped && p && own) p.stopped = report.stopped;
    if (this.aggregate.twins.size > twinsBefore) {
      const instances = [this.aggregate.drivers.get(report.node_id)!, ...twinsOf(this.aggregate, report.node_id)].map((d) => d.instance_id ?? "(none)");
      this.warn(`two or more driver processes reported as ${report.node_id} (instances ${instances.join(", ")}): each one's requests are counted`);
    }
    return result;
  }

  /** Adds a warning to the test's record, once. */
  warn(message: string): void {
    const warnings = (this.record.warnings ??= []);
    if (!warnings.includes(message)) warnings.push(message);
  }

  /** Records a driver's answer to the configuration or the trigger. */
  applyDriverEvent(event: DriverEvent, now: number): void {
    const p = this.participants.get(event.node_id);
    if (!p) return;
    p.last_activity_at = Math.max(p.last_activity_at, now);
    // A second process under the participant's node_id (see applyReport) speaks for itself only.
    const own = this.aggregate.drivers.get(event.node_id)?.instance_id ?? null;
    if (event.instance_id !== undefined && own !== null && event.instance_id !== own) return;
    if (event.event === "TEST_ACCEPTED") p.accepted_at = now;
    else if (event.event === "TEST_STARTED") {
      p.started_at = now;
      if (event.warning) this.warn(`${event.node_id}: ${event.warning}`);
    }
    else if (event.event === "TEST_FINISHED") {
      p.finished_at = now;
      if (event.error) p.stopped = event.error;
    }
    else p.rejected = { error: event.error ?? "rejected without a reason", issues: event.issues ?? [] };
  }

  /** Notes that a participant is working on this test (a report, or a "running" heartbeat). */
  touch(nodeId: string, now: number): void {
    const p = this.participants.get(nodeId);
    if (p) p.last_activity_at = Math.max(p.last_activity_at, now);
  }

  /** From now, a participant has `fromMs` before it counts as stalled (set at trigger). */
  resetActivity(fromMs: number): void {
    for (const p of this.participants.values()) p.last_activity_at = Math.max(p.last_activity_at, fromMs);
  }

  statuses(nodes: NodeLookup): ParticipantStatus[] {
    return [...this.participants.values()].map((participant) => {
      const driver = this.aggregate.drivers.get(participant.node_id);
      const twins = twinsOf(this.aggregate, participant.node_id);
      const node = nodes.get(participant.node_id);
      return {
        participant,
        // Final once every process that reported under the node_id sent its final report.
        final: (driver?.final ?? false) && twins.every((t) => t.final),
        reported: (driver?.reports ?? 0) > 0 || twins.length > 0,
        node_status: node?.status,
        status_since: node?.status_since ?? 0,
      };
    });
  }

  evaluate(nodes: NodeLookup, now: number, options: EvaluateOptions): Evaluation {
    return evaluateTest(this.record.state, this.statuses(nodes), now, options, this.record.stop);
  }

  view(nodes: NodeLookup, now: number, outcomes: Record<string, DriverOutcome>): TestView {
    return buildTestView({
      record: this.record,
      aggregate: this.aggregate,
      participants: this.participants,
      outcomes,
      nodeStatus: (id) => nodes.get(id)?.status,
      now,
    });
  }
}
