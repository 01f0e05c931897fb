import { reportKey, type MetricsReport } from "../protocol/index.ts";
import type { NodeView } from "./registry.ts";
import type { TestView } from "./snapshot.ts";
import { ACTIVE_STATES, type TestRecord } from "./test-state.ts";

/** A stored test: its record and, once it ended, its final result. */
export interface StoredTest {
  record: TestRecord;
  result: TestView | null;
}

/** Where the orchestrator keeps tests, accepted reports and nodes across restarts. */
export interface OrchestratorStore {
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
  const reports = new Map<string, { report: MetricsReport; received_at: number }>();
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
      if (reports.has(key)) return false;
      reports.set(key, { report: clone(report), received_at: receivedAt });
      return true;
    },
    reports: (testId) => [...reports.values()].filter((r) => r.report.test_id === testId).map(clone),
    saveNode: (node) => void nodes.set(node.node_id, clone(node)),
    saveNodes: (list) => list.forEach((node) => nodes.set(node.node_id, clone(node))),
    deleteNodes: (nodeIds) => nodeIds.forEach((id) => nodes.delete(id)),
    nodes: () => [...nodes.values()].map(clone),
    close: () => {},
  };
}
