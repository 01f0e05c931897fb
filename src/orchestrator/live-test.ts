import type { DriverEvent, MetricsReport } from "../protocol/index.ts";
import { isSummaryOnly, twinsOf, type ApplyResult, type TestAggregate } from "./aggregate.ts";
import type { NodeRegistry } from "./registry.ts";
import type { SeriesPoint, TestSeries } from "./series.ts";
import { buildTestView, type TestView } from "./snapshot.ts";
import { requestViews } from "./request-view.ts";
import { splitByRequest, TestTally, type RequestSplitter } from "./test-tally.ts";
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

/**
 * A test the orchestrator is following: its record, its participants' answers, and what their
 * reports add up to (totals and per-second series together, for the whole test and per request
 * name): the one answer to "what do the reports say".
 */
export class LiveTest {
  /** The whole test's totals and series. */
  readonly tally: TestTally;
  /** Totals and series per request name, beside the whole test's (filled by `splitRequests`). */
  readonly byRequest = new Map<string, TestTally>();
  /** Each request name's first check failure, as first reported (by any driver). */
  readonly firstCheckFailures = new Map<string, string>();
  readonly participants: Map<string, Participant>;

  constructor(
    readonly record: TestRecord,
    now: number,
    private readonly splitRequests: RequestSplitter = splitByRequest,
  ) {
    this.tally = new TestTally(record.test_id, record.drivers, this.originMs);
    this.participants = new Map(record.drivers.map((id) => [id, newParticipant(id, now)]));
  }

  /** Rebuilds a test from its stored reports (after a restart, or for an ended test's series): the same code as live. */
  static restore(record: TestRecord, reports: { report: MetricsReport; received_at: number }[], now: number, splitRequests?: RequestSplitter): LiveTest {
    const test = new LiveTest(record, now, splitRequests);
    for (const { report, received_at } of reports) test.applyReport(report, received_at);
    return test;
  }

  /** The whole test's totals per driver. */
  get aggregate(): TestAggregate {
    return this.tally.aggregate;
  }

  /** The per-second series so far. */
  series(): TestSeries {
    return this.tally.series();
  }

  /** Each driver's figures of seconds `fromS` to `toS` of the series (what the abort watch judges). */
  cells(fromS: number, toS: number): ReturnType<TestTally["cells"]> {
    return this.tally.cells(fromS, toS);
  }

  /** The newest `n` seconds of the series. */
  tail(n: number): SeriesPoint[] {
    return this.tally.tail(n);
  }

  /** Second 0 of the series: the common start time, else the trigger (null before it). */
  private get originMs(): number | null {
    return this.record.start_at ?? this.record.triggered_at;
  }

  get test_id(): string {
    return this.record.test_id;
  }

  /**
   * Folds a report into the totals and the series (and each request name's) and notes the
   * driver as active. A report from a second process with the participant's node_id is counted
   * too, and the test is marked with a warning; only the participant's own process decides
   * whether it stopped early.
   */
  applyReport(report: MetricsReport, now: number): ApplyResult {
    const twinsBefore = this.aggregate.twins.size;
    const result = this.tally.apply(report, now, this.originMs);
    if (result === "accepted") {
      for (const [name, part, firstCheckFailure] of this.splitRequests(report)) {
        if (firstCheckFailure !== undefined && !this.firstCheckFailures.has(name)) this.firstCheckFailures.set(name, firstCheckFailure);
        let tally = this.byRequest.get(name);
        if (!tally) this.byRequest.set(name, (tally = new TestTally(this.test_id, this.record.drivers, this.originMs)));
        tally.apply(part, now, this.originMs);
      }
    }
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

  /** Where each participant stands, for {@link evaluateTest}. */
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
        summary_only: driver !== undefined && isSummaryOnly(driver) && twins.every(isSummaryOnly),
        last_report_at: [driver, ...twins].reduce<number | null>((at, d) => (d?.last_report_at == null ? at : Math.max(at ?? d.last_report_at, d.last_report_at)), null),
        node_status: node?.status,
        status_since: node?.status_since ?? 0,
      };
    });
  }

  /** Judges the test at `now` (the liveness judge's time, see liveness.ts). */
  evaluate(nodes: NodeLookup, now: number, options: EvaluateOptions): Evaluation {
    return evaluateTest(this.record.state, this.statuses(nodes), now, options, this.record.stop);
  }

  /** The test as shown at `now`, with the outcomes judged by {@link evaluate}. */
  view(nodes: NodeLookup, now: number, outcomes: Record<string, DriverOutcome>): TestView {
    const view = buildTestView({
      record: this.record,
      aggregate: this.aggregate,
      participants: this.participants,
      outcomes,
      nodeStatus: (id) => nodes.get(id)?.status,
      now,
    });
    if (this.byRequest.size > 0) view.by_request = requestViews(this.byRequest, this.firstCheckFailures);
    return view;
  }
}
