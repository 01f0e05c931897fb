import { reportKey, type MetricsReport } from "../protocol/index.ts";
import type { CompactStorage, StoredPoint, TestSnapshot } from "./compact-store.ts";
import type { NodeView } from "./registry.ts";
import type { TestView } from "./snapshot.ts";
import { ACTIVE_STATES, type TestRecord } from "./test-state.ts";

/** A stored test: its record and, once it ended, its final result. */
export interface StoredTest {
  record: TestRecord;
  result: TestView | null;
}

/** Where the orchestrator keeps tests, accepted reports (raw and compact, see compact-store.ts) and nodes across restarts. */
export interface OrchestratorStore extends CompactStorage {
  /** Inserts or updates a test; `result` is the final view (null while active). */
  saveTest(record: TestRecord, result: TestView | null): void;
  getTest(testId: string): StoredTest | null;
  /** Tests newest first. */
  listTests(limit: number, offset: number): { tests: StoredTest[]; total: number };
  /** Tests that were `created` or `running`. */
  activeTests(): TestRecord[];
  /** Stores an accepted report; false when its report_id is already stored (a replay). */
  saveReport(report: MetricsReport, receivedAt: number): boolean;
  /** A test's stored reports, in the order they were received. */
  reports(testId: string): { report: MetricsReport; received_at: number }[];
  saveNode(node: NodeView): void;
  /** Saves many nodes at once (one transaction): a sweep that finds thousands dead. */
  saveNodes(nodes: readonly NodeView[]): void;
  /** Removes nodes (forgotten or deleted); unknown ids are ignored. */
  deleteNodes(nodeIds: readonly string[]): void;
  nodes(): NodeView[];
  close(): void;
}

const clone = <T>(value: T): T => structuredClone(value);

/** An {@link OrchestratorStore} in memory, for unit tests. */
export function createMemoryStore(): OrchestratorStore {
  const tests = new Map<string, StoredTest & { seq: number }>();
  const reports = new Map<string, { report: MetricsReport; received_at: number; seq: number }>();
  // The compact store's side (see compact-store.ts): pruned reports leave their key and sequence.
  const pruned = new Map<string, { test_id: string; seq: number }>();
  const snapshots = new Map<string, TestSnapshot>();
  const points = new Map<string, StoredPoint>();
  let reportSeq = 0;
  const nodes = new Map<string, NodeView>();
  let seq = 0;
  return {
    saveTest(record, result) {
      // An update keeps the test's place in the history.
      const place = tests.get(record.test_id)?.seq ?? seq++;
      tests.set(record.test_id, { record: clone(record), result: clone(result), seq: place });
    },
    getTest(id) {
      const found = tests.get(id);
      return found ? clone({ record: found.record, result: found.result }) : null;
    },
    listTests(limit, offset) {
      const all = [...tests.values()].sort((a, b) => b.record.created_at - a.record.created_at || b.seq - a.seq);
      const page = all.slice(offset, offset + limit).map(({ record, result }) => clone({ record, result }));
      return { tests: page, total: all.length };
    },
    activeTests: () => [...tests.values()].map((t) => clone(t.record)).filter((r) => ACTIVE_STATES.has(r.state)),
    saveReport(report, receivedAt) {
      const key = reportKey(report);
      if (reports.has(key) || pruned.has(key)) return false;
      reports.set(key, { report: clone(report), received_at: receivedAt, seq: ++reportSeq });
      return true;
    },
    reports: (testId) =>
      [...reports.values()].filter((r) => r.report.test_id === testId).map(({ report, received_at }) => clone({ report, received_at })),
    lastReportSeq(testId) {
      let seq = snapshots.get(testId)?.through_seq ?? 0;
      for (const r of reports.values()) if (r.report.test_id === testId) seq = Math.max(seq, r.seq);
      return seq;
    },
    saveSnapshot(testId, snapshot, newPoints, prune) {
      snapshots.set(testId, clone(snapshot));
      for (const { tally, point } of newPoints) points.set(`${testId}\u0000${tally}\u0000${point.t_s}`, clone({ tally, point }));
      if (!prune) return;
      for (const [key, r] of reports) {
        if (r.report.test_id !== testId || r.seq > prune.seq || r.received_at > prune.receivedThroughMs) continue;
        reports.delete(key);
        pruned.set(key, { test_id: testId, seq: r.seq });
      }
    },
    snapshot: (testId) => clone(snapshots.get(testId) ?? null),
    seriesPoints: (testId) =>
      [...points.entries()].filter(([key]) => key.startsWith(`${testId}\u0000`)).map(([, p]) => clone(p)).sort((a, b) => a.point.t_s - b.point.t_s),
    reportKeys: (testId, throughSeq) => [
      ...[...pruned].filter(([, p]) => p.test_id === testId).map(([key]) => key),
      ...[...reports].filter(([, r]) => r.report.test_id === testId && r.seq <= throughSeq).map(([key]) => key),
    ],
    eachReportKey(testId, throughSeq, fn) {
      for (const key of this.reportKeys(testId, throughSeq)) fn(key);
    },
    eachSeriesPoint(testId, fn) {
      for (const point of this.seriesPoints(testId)) fn(point);
    },
    reportsAfter: (testId, seq) =>
      [...reports.values()].filter((r) => r.report.test_id === testId && r.seq > seq).sort((a, b) => a.seq - b.seq).map(({ report, received_at }) => clone({ report, received_at })),
    saveNode: (node) => void nodes.set(node.node_id, clone(node)),
    saveNodes: (list) => list.forEach((node) => nodes.set(node.node_id, clone(node))),
    deleteNodes: (nodeIds) => nodeIds.forEach((id) => nodes.delete(id)),
    nodes: () => [...nodes.values()].map(clone),
    close: () => {},
  };
}
