import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { reportKey, type MetricsReport } from "../protocol/index.ts";
import type { NodeView } from "./registry.ts";
import type { OrchestratorStore, StoredTest } from "./store.ts";
import { openCompactTables } from "./sqlite-compact.ts";
import { packReport, unpackReport } from "./sqlite-pack.ts";
import type { TestRecord } from "./test-state.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tests (
  test_id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  record TEXT NOT NULL,
  result TEXT
);
CREATE INDEX IF NOT EXISTS tests_newest ON tests (created_at DESC);
CREATE INDEX IF NOT EXISTS tests_state ON tests (state);
CREATE TABLE IF NOT EXISTS reports (
  report_id TEXT PRIMARY KEY,
  test_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  raw TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_by_test ON reports (test_id, received_at);
CREATE TABLE IF NOT EXISTS test_snapshots (
  test_id TEXT PRIMARY KEY,
  through_seq INTEGER NOT NULL,
  taken_at INTEGER NOT NULL,
  state BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS series_points (
  test_id TEXT NOT NULL,
  tally TEXT NOT NULL,
  t_s INTEGER NOT NULL,
  point BLOB NOT NULL,
  PRIMARY KEY (test_id, tally, t_s)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS report_keys (
  test_id TEXT NOT NULL,
  report_id TEXT NOT NULL,
  PRIMARY KEY (test_id, report_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS nodes (
  node_id TEXT PRIMARY KEY,
  record TEXT NOT NULL
);
`;

/**
 * The WAL is checkpointed every 256 pages (1 MB; SQLite's default is 1,000 pages, 4 MB) and cut
 * back to 1 MB after a checkpoint: the WAL's high-water mark is part of the file's footprint, and
 * a 10-minute test at 10,000 req/s paid ~870 B per driver-second for the default's 4 MB alone
 * (bench/RESULTS.md, "Soak"). A checkpoint then costs a smaller write, four times as often.
 */
export const WAL_CHECKPOINT_PAGES = 256;

/** Bytes the WAL file is truncated to after a checkpoint (PRAGMA journal_size_limit). */
export const WAL_SIZE_LIMIT_BYTES = 1 << 20;

interface TestRow {
  record: string;
  result: string | null;
}

/**
 * Reports are stored deflated (column raw_z; raw stays "" for them): the JSON of a report is
 * mostly digest means, which deflate about 3×, lossless, so a restart rebuilds exactly the same
 * figures. Rows written before raw_z existed keep their JSON in raw and read as before.
 */
function addCompressedColumn(db: Database): void {
  const columns = db.query<{ name: string }, []>("PRAGMA table_info(reports)").all();
  if (!columns.some((c) => c.name === "raw_z")) db.exec("ALTER TABLE reports ADD COLUMN raw_z BLOB");
}

const toStored = (row: TestRow): StoredTest => ({
  record: JSON.parse(row.record) as TestRecord,
  result: row.result === null ? null : JSON.parse(row.result),
});

/**
 * An {@link OrchestratorStore} in a SQLite file (WAL). `path` ":memory:" keeps it in memory;
 * any other path has its folder created.
 */
export function openSqliteStore(path: string): OrchestratorStore {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { create: true, strict: true });
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
  db.exec(`PRAGMA wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}; PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT_BYTES};`);
  db.exec(SCHEMA);
  addCompressedColumn(db);

  const upsertTest = db.query(
    `INSERT INTO tests (test_id, state, created_at, record, result) VALUES ($id, $state, $created, $record, $result)
     ON CONFLICT (test_id) DO UPDATE SET state = excluded.state, record = excluded.record, result = excluded.result`,
  );
  const selectTest = db.query<TestRow, { id: string }>("SELECT record, result FROM tests WHERE test_id = $id");
  const pageTests = db.query<TestRow, { limit: number; offset: number }>(
    "SELECT record, result FROM tests ORDER BY created_at DESC, rowid DESC LIMIT $limit OFFSET $offset",
  );
  const countTests = db.query<{ n: number }, []>("SELECT count(*) AS n FROM tests");
  const selectActive = db.query<TestRow, []>("SELECT record, result FROM tests WHERE state IN ('created', 'running') ORDER BY created_at");
  const compact = openCompactTables(db);
  const insertReport = db.query(
    "INSERT OR IGNORE INTO reports (rowid, report_id, test_id, node_id, received_at, raw, raw_z) VALUES ($seq, $id, $test, $node, $at, '', $raw_z)",
  );
  const selectReports = db.query<{ raw: string; raw_z: Uint8Array | null; received_at: number }, { test: string }>(
    "SELECT raw, raw_z, received_at FROM reports WHERE test_id = $test ORDER BY received_at, rowid",
  );
  const upsertNode = db.query("INSERT INTO nodes (node_id, record) VALUES ($id, $record) ON CONFLICT (node_id) DO UPDATE SET record = excluded.record");
  const saveNodes = db.transaction((nodes: readonly NodeView[]) => {
    for (const node of nodes) upsertNode.run({ id: node.node_id, record: JSON.stringify(node) });
  });
  const deleteNode = db.query("DELETE FROM nodes WHERE node_id = $id");
  const deleteNodes = db.transaction((ids: readonly string[]) => {
    for (const id of ids) deleteNode.run({ id });
  });
  const selectNodes = db.query<{ record: string }, []>("SELECT record FROM nodes ORDER BY node_id");

  return {
    saveTest(record, result) {
      upsertTest.run({
        id: record.test_id,
        state: record.state,
        created: record.created_at,
        record: JSON.stringify(record),
        result: result === null ? null : JSON.stringify(result),
      });
    },
    getTest(testId) {
      const row = selectTest.get({ id: testId });
      return row ? toStored(row) : null;
    },
    listTests(limit, offset) {
      return { tests: pageTests.all({ limit, offset }).map(toStored), total: countTests.get()?.n ?? 0 };
    },
    activeTests: () => selectActive.all().map((row) => toStored(row).record),
    saveReport(report: MetricsReport, receivedAt: number) {
      // A report pruned by the compact store left its key behind: still a replay.
      if (compact.prunedKey(report.test_id, reportKey(report))) return false;
      const seq = compact.nextSeq();
      const { changes } = insertReport.run({
        seq,
        // Keyed by instance too (reportKey): two processes with one node_id number alike.
        id: reportKey(report),
        test: report.test_id,
        node: report.node_id,
        at: receivedAt,
        raw_z: packReport(report),
      });
      if (changes === 1) compact.noteSeq(report.test_id, seq);
      return changes === 1;
    },
    ...compact.storage,
    reports: (testId) =>
      selectReports.all({ test: testId }).map((row) => ({ report: unpackReport(row), received_at: row.received_at })),
    saveNode(node: NodeView) {
      upsertNode.run({ id: node.node_id, record: JSON.stringify(node) });
    },
    saveNodes(nodes: readonly NodeView[]) {
      if (nodes.length > 0) saveNodes(nodes);
    },
    deleteNodes(nodeIds: readonly string[]) {
      if (nodeIds.length > 0) deleteNodes(nodeIds);
    },
    nodes: () => selectNodes.all().map((row) => JSON.parse(row.record) as NodeView),
    close: () => db.close(),
  };
}
