// The compact store's tables in the orchestrator's SQLite file (see compact-store.ts):
// test_snapshots (the newest snapshot of each test), series_points (closed seconds) and
// report_keys (the keys of pruned reports, so a replay of one is still refused).
import type { Database } from "bun:sqlite";
import type { MetricsReport } from "../protocol/index.ts";
import type { CompactStorage, StoredPoint, TestSnapshot } from "./compact-store.ts";
import { packJson, unpackJson, unpackReport } from "./sqlite-pack.ts";
import type { SeriesPoint } from "./series.ts";

type ReportRow = { raw: string; raw_z: Uint8Array | null; received_at: number };

/** The compact store's statements over `db` (tables made by the store's schema). */
export function openCompactTables(db: Database) {
  const lastSeq = new Map<string, number>();
  // Reports are numbered by rowid, given explicitly: SQLite would reuse the rowids of pruned rows
  // (max(rowid) + 1 once the newest rows are deleted), so a report stored after a prune could get
  // a number a snapshot already covers. Every number ever given is at most the larger of these two.
  let seqCounter =
    db.query<{ seq: number | null }, []>("SELECT max(seq) AS seq FROM (SELECT max(rowid) AS seq FROM reports UNION ALL SELECT max(through_seq) FROM test_snapshots)").get()?.seq ?? 0;
  const selectMaxSeq = db.query<{ seq: number | null }, { test: string }>("SELECT max(rowid) AS seq FROM reports WHERE test_id = $test");
  const selectPrunedMaxSeq = db.query<{ seq: number | null }, { test: string }>("SELECT through_seq AS seq FROM test_snapshots WHERE test_id = $test");
  const upsertSnapshot = db.query(
    `INSERT INTO test_snapshots (test_id, through_seq, taken_at, state) VALUES ($test, $seq, $at, $state)
     ON CONFLICT (test_id) DO UPDATE SET through_seq = excluded.through_seq, taken_at = excluded.taken_at, state = excluded.state`,
  );
  const selectSnapshot = db.query<{ state: Uint8Array }, { test: string }>("SELECT state FROM test_snapshots WHERE test_id = $test");
  const upsertPoint = db.query(
    "INSERT INTO series_points (test_id, tally, t_s, point) VALUES ($test, $tally, $t, $point) ON CONFLICT DO UPDATE SET point = excluded.point",
  );
  const selectPoints = db.query<{ tally: string; point: Uint8Array }, { test: string }>("SELECT tally, point FROM series_points WHERE test_id = $test ORDER BY tally, t_s");
  const keepKeys = db.query(
    `INSERT OR IGNORE INTO report_keys (test_id, report_id)
     SELECT test_id, report_id FROM reports WHERE test_id = $test AND rowid <= $seq AND received_at <= $before`,
  );
  const deleteRaw = db.query("DELETE FROM reports WHERE test_id = $test AND rowid <= $seq AND received_at <= $before");
  const selectPrunedKey = db.query<{ one: number }, { test: string; id: string }>("SELECT 1 AS one FROM report_keys WHERE test_id = $test AND report_id = $id");
  const selectKeys = db.query<{ report_id: string }, { test: string; seq: number }>(
    "SELECT report_id FROM report_keys WHERE test_id = $test UNION ALL SELECT report_id FROM reports WHERE test_id = $test AND rowid <= $seq",
  );
  const selectAfter = db.query<ReportRow, { test: string; seq: number }>(
    "SELECT raw, raw_z, received_at FROM reports WHERE test_id = $test AND rowid > $seq ORDER BY rowid",
  );

  const save = db.transaction((testId: string, snapshot: TestSnapshot, points: readonly StoredPoint[], prune: { seq: number; receivedThroughMs: number } | null) => {
    upsertSnapshot.run({ test: testId, seq: snapshot.through_seq, at: snapshot.taken_at, state: packJson(snapshot) });
    for (const { tally, point } of points) upsertPoint.run({ test: testId, tally, t: point.t_s, point: packJson(point) });
    if (prune) {
      keepKeys.run({ test: testId, seq: prune.seq, before: prune.receivedThroughMs });
      deleteRaw.run({ test: testId, seq: prune.seq, before: prune.receivedThroughMs });
    }
  });

  const storage: CompactStorage = {
    lastReportSeq(testId) {
      const known = lastSeq.get(testId);
      if (known !== undefined) return known;
      // Every report of the test may have been pruned: the snapshot's sequence covers them.
      const seq = Math.max(selectMaxSeq.get({ test: testId })?.seq ?? 0, selectPrunedMaxSeq.get({ test: testId })?.seq ?? 0);
      lastSeq.set(testId, seq);
      return seq;
    },
    saveSnapshot: (testId, snapshot, points, prune) => save(testId, snapshot, points, prune),
    snapshot(testId) {
      const row = selectSnapshot.get({ test: testId });
      return row ? unpackJson<TestSnapshot>(row.state) : null;
    },
    seriesPoints: (testId) => selectPoints.all({ test: testId }).map((row) => ({ tally: row.tally, point: unpackJson<SeriesPoint>(row.point) })),
    reportKeys: (testId, throughSeq) => selectKeys.all({ test: testId, seq: throughSeq }).map((row) => row.report_id),
    eachReportKey(testId, throughSeq, fn) {
      for (const row of selectKeys.iterate({ test: testId, seq: throughSeq })) fn(row.report_id);
    },
    eachSeriesPoint(testId, fn) {
      for (const row of selectPoints.iterate({ test: testId })) fn({ tally: row.tally, point: unpackJson<SeriesPoint>(row.point) });
    },
    reportsAfter: (testId, seq) =>
      selectAfter.all({ test: testId, seq }).map((row) => ({ report: unpackReport(row) as MetricsReport, received_at: row.received_at })),
  };
  return {
    storage,
    /** The sequence (rowid) of the next report stored: never one given before, pruned or not. */
    nextSeq: () => ++seqCounter,
    /** Notes the sequence a report of `testId` was stored at. */
    noteSeq: (testId: string, seq: number) => void lastSeq.set(testId, seq),
    /** Whether a report with this key was stored and then pruned. */
    prunedKey: (testId: string, key: string) => selectPrunedKey.get({ test: testId, id: key }) !== null,
  };
}
