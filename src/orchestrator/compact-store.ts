// The compact store (issue 14 part 1): what an hours-long test keeps instead of every raw report.
// Every `snapshotEveryMs` of a running test (and once when it ends) its state is written: the
// totals per driver with their digests in their exact state, the series' recent seconds as cells,
// and each older second once as its point (closed). Raw reports covered by a snapshot and
// older than `retainRawMs` are then deleted; their keys stay, so a replay is still refused.
// A restart restores a test from its newest snapshot plus the raw reports stored after it,
// to exactly the figures it had (tests/unit/orchestrator/compact-store.test.ts).
import type { MetricsReport } from "../protocol/index.ts";
import { LiveTest } from "./live-test.ts";
import type { SeriesPoint } from "./series.ts";
import { restoreTally, tallyState, type TallyState } from "./tally-state.ts";
import { ReportKeySet } from "./report-key-set.ts";
import { TestTally, type RequestSplitter } from "./test-tally.ts";
import type { Participant, TestRecord } from "./test-state.ts";

/** How often a running test's state is snapshotted (a restart replays at most this much raw). */
export const DEFAULT_SNAPSHOT_EVERY_MS = 30_000;

/** Raw reports kept after a snapshot covers them (for debugging); Infinity keeps every one. */
export const DEFAULT_RETAIN_RAW_MS = 300_000;

/**
 * Seconds, counted back from the newest, that a snapshot keeps as cells (a late window still
 * merges into them exactly); older ones are stored once as their point and, after a restart,
 * read back as that point.
 */
export const OPEN_SECONDS = 120;

/** The tally a stored point or state belongs to: "" the whole test, else a request name. */
export type TallyName = string;

/** What a snapshot holds of one test (JSON; its size does not grow with the test's length). */
export interface TestSnapshot {
  version: 1;
  /** Reports stored up to this sequence are in the state (the store's insertion order). */
  through_seq: number;
  taken_at: number;
  participants: Participant[];
  warnings: string[];
  tallies: { name: TallyName; state: TallyState }[];
}

/** A closed second of a tally's series. */
export interface StoredPoint {
  tally: TallyName;
  point: SeriesPoint;
}

/** The storage the compact store needs (both stores implement it; see sqlite-store.ts). */
export interface CompactStorage {
  /** Sequence of the newest report stored for a test (0: none): reports are numbered as stored. */
  lastReportSeq(testId: string): number;
  /**
   * Writes a snapshot (replacing the test's previous one) and the points given, then deletes
   * the test's raw reports up to `prune.seq` received at or before `prune.receivedThroughMs`, keeping their keys.
   */
  saveSnapshot(testId: string, snapshot: TestSnapshot, points: readonly StoredPoint[], prune: { seq: number; receivedThroughMs: number } | null): void;
  /** A test's newest snapshot, or null. */
  snapshot(testId: string): TestSnapshot | null;
  /** A test's closed seconds, every tally. */
  seriesPoints(testId: string): StoredPoint[];
  /** Keys (reportKey) of the test's reports stored up to `throughSeq`, pruned or not. */
  reportKeys(testId: string, throughSeq: number): string[];
  /**
   * The same keys and a test's closed seconds, one at a time (a restore of a day-long test reads
   * 86,400 points and 172,800 keys of 2 drivers without holding them all at once).
   */
  eachReportKey(testId: string, throughSeq: number, fn: (key: string) => void): void;
  eachSeriesPoint(testId: string, fn: (point: StoredPoint) => void): void;
  /** The raw reports stored after `seq`, in the order they were stored. */
  reportsAfter(testId: string, seq: number): { report: MetricsReport; received_at: number }[];
}

/** Anything that keeps tests' raw reports and their compact form. */
export type CompactSource = CompactStorage & { reports(testId: string): { report: MetricsReport; received_at: number }[] };

const originOf = (record: TestRecord) => record.start_at ?? record.triggered_at;

/** The tallies of a live test, the whole test's first. */
function talliesOf(test: LiveTest): [TallyName, TestTally][] {
  return [["", test.tally], ...test.byRequest];
}

/** A live test's snapshot now: every tally closed through `closeThrough(newest second)`. */
export function snapshotOf(test: LiveTest, throughSeq: number, now: number, keepOpenS: number): { snapshot: TestSnapshot; points: StoredPoint[] } {
  const points: StoredPoint[] = [];
  const tallies = talliesOf(test).map(([name, tally]) => {
    const { state, points: closed } = tallyState(tally, tally.seriesBuilder.newestSecond - keepOpenS);
    for (const point of closed) points.push({ tally: name, point });
    return { name, state };
  });
  const snapshot: TestSnapshot = {
    version: 1,
    through_seq: throughSeq,
    taken_at: now,
    participants: [...test.participants.values()],
    warnings: [...(test.record.warnings ?? [])],
    tallies,
  };
  return { snapshot, points };
}

/**
 * A stored test as it stood: from its newest snapshot and the raw reports stored after it, or,
 * without a snapshot (a file written before the compact store), from every stored report.
 */
export function restoreLiveTest(store: CompactSource, record: TestRecord, now: number, splitRequests?: RequestSplitter): LiveTest {
  const snapshot = store.snapshot(record.test_id);
  if (!snapshot) return LiveTest.restore(record, store.reports(record.test_id), now, splitRequests);
  const test = new LiveTest(record, now, splitRequests);
  const keys = new ReportKeySet();
  store.eachReportKey(record.test_id, snapshot.through_seq, (key) => keys.add(key));
  const tallies = new Map<TallyName, TestTally>();
  for (const { name, state } of snapshot.tallies) {
    let tally = test.tally;
    if (name !== "") {
      tally = test.byRequest.get(name) ?? new TestTally(record.test_id, record.drivers, originOf(record));
      test.byRequest.set(name, tally);
    }
    restoreTally(tally, state, [], keys);
    tallies.set(name, tally);
  }
  store.eachSeriesPoint(record.test_id, ({ tally, point }) => tallies.get(tally)?.seriesBuilder.restorePoint(point));
  for (const p of snapshot.participants) if (test.participants.has(p.node_id)) test.participants.set(p.node_id, p);
  for (const warning of snapshot.warnings) test.warn(warning);
  for (const { report, received_at } of store.reportsAfter(record.test_id, snapshot.through_seq)) test.applyReport(report, received_at);
  return test;
}

/** When to snapshot and how much raw to keep (OrchestratorOptions). */
export interface CompactionOptions {
  snapshotEveryMs: number;
  /** Infinity: keep every raw report (today's behaviour before the compact store). */
  retainRawMs: number;
  keepOpenS?: number;
  /**
   * Called after a snapshot that dropped seconds' cells (see CELL_SECONDS in series.ts); by
   * default a full collection ({@link collectGarbage}).
   */
  afterSnapshot?: () => void;
}

/** Total time spent in {@link collectGarbage} (ms), for the soak bench. */
export const gcSpent = { ms: 0, runs: 0 };

/**
 * A full, synchronous collection: a snapshot that dropped closed seconds' cells leaves them and
 * the state's JSON as garbage, which the collector otherwise reaches lazily. Once per snapshot
 * (every 30 s) of a test longer than CELL_SECONDS: ~40 ms on a loaded box; RSS over a compressed
 * hour of 8 drivers 193 MB with it, 320 MB without (bench/RESULTS.md, "Soak").
 */
export function collectGarbage(): void {
  const t0 = performance.now();
  Bun.gc(true);
  gcSpent.ms += performance.now() - t0;
  gcSpent.runs++;
}

/** The orchestrator's side of the compact store: snapshots as reports arrive and when a test ends. */
export function createCompaction(store: CompactStorage, { snapshotEveryMs, retainRawMs, keepOpenS = OPEN_SECONDS, afterSnapshot = collectGarbage }: CompactionOptions) {
  /** Per test: when it was last snapshotted, and through which report. */
  const last = new Map<string, { at: number; seq: number }>();

  // A final snapshot keeps the newest seconds as cells too: closing them would compute their
  // points (digest merges), which a restart pays before it is ready; a read computes them anyway.
  const dropped = (test: LiveTest) => talliesOf(test).reduce((n, [, tally]) => n + tally.seriesBuilder.droppedSeconds, 0);
  const take = (test: LiveTest, now: number) => {
    const droppedBefore = dropped(test);
    const seq = store.lastReportSeq(test.test_id);
    const { snapshot, points } = snapshotOf(test, seq, now, keepOpenS);
    const prune = Number.isFinite(retainRawMs) ? { seq, receivedThroughMs: now - retainRawMs } : null;
    store.saveSnapshot(test.test_id, snapshot, points, prune);
    last.set(test.test_id, { at: now, seq });
    if (dropped(test) > droppedBefore) afterSnapshot();
  };

  return {
    /** After an accepted report: snapshots the test when `snapshotEveryMs` has passed since the last one. */
    afterReport(test: LiveTest, now: number): void {
      const prev = last.get(test.test_id);
      if (!prev) last.set(test.test_id, { at: now, seq: 0 });
      else if (now - prev.at >= snapshotEveryMs) take(test, now);
    },
    /** When a test ended (or was restored ended): a final snapshot, unless the stored one is up to date. */
    ended(test: LiveTest, now: number): void {
      // A test rebuilt from an up-to-date snapshot (read after a restart) is not written again.
      const stored = last.has(test.test_id) ? null : store.snapshot(test.test_id);
      if (!stored || stored.through_seq !== store.lastReportSeq(test.test_id)) take(test, now);
      last.delete(test.test_id);
    },
  };
}

/** The compact store's hooks, as the orchestrator holds them. */
export type Compaction = ReturnType<typeof createCompaction>;
