// A compressed soak: N simulated drivers each send one report per simulated second (built with the
// driver's own TestStats, as tests/unit/orchestrator/fixtures.ts does) through the real
// orchestrator core (createOrchestrator over a MemoryBus) into a real SQLite file, as fast as
// the orchestrator takes them. Measures what an hours-long test costs: SQLite growth (file and
// WAL) per driver-second, RSS over the run, GET /tests/:id and the report at the end, and a
// restart (reopen the file, resume the interrupted test, serve its report). The orchestrator's
// clock is simulated (its `now` is the stream's simulated second; timers run in real time), so the
// compact store snapshots and prunes on simulated time as it would over a real hour. Shared by the
// `soak` bench section (bench/children/soak-load.ts) and tests/integration/soak.test.ts.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MemoryBroker, MemoryBus } from "../src/bus/memory-bus.ts";
import { TestStats } from "../src/driver/test-stats.ts";
import { silentLogger } from "../src/log.ts";
import { systemClock, type Clock } from "../src/clock.ts";
import { createApp, createOrchestrator, openSqliteStore, type Orchestrator } from "../src/orchestrator/index.ts";
import type { OrchestratorOptions } from "../src/orchestrator/options.ts";

/** What a soak run is asked to do. */
export interface SoakOptions {
  /** Folder for the SQLite file (the caller makes and removes it). */
  dir: string;
  drivers: number;
  /** Simulated seconds: one report per driver each. */
  seconds: number;
  /** Requests completed per driver per second (the report's window digest grows with it). */
  requestsPerSecond: number;
  /** Progress lines. */
  progress?: (line: string) => void;
  /** The orchestrator's compact store options (defaults: the orchestrator's own). */
  orchestrator?: Partial<Pick<OrchestratorOptions, "snapshotEveryMs" | "retainRawMs">>;
}

/** One RSS reading during the run. */
export interface SoakRssSample {
  /** Simulated seconds sent so far. */
  at_s: number;
  rss_mb: number;
}

/** What a soak run measured. */
export interface SoakResult {
  drivers: number;
  seconds: number;
  requests_per_s: number;
  reports: number;
  /** Reports the orchestrator accepted (must equal `reports`). */
  accepted: number;
  /** SQLite file + WAL growth over the run, bytes. */
  sqlite_bytes: number;
  sqlite_bytes_per_driver_second: number;
  rss: SoakRssSample[];
  /** Wall time of the stream, seconds. */
  stream_s: number;
  /** GET /tests/:id at the end (median of 5, and the slowest), ms, through the Hono app in-process. */
  get_test_ms: number;
  get_test_max_ms: number;
  /** GET /tests/:id/report (JSON) at the end, ms: the first read (cold: computes every second the live tails did not). */
  report_json_ms: number;
  /** The same read again (every second's point already computed). */
  report_json_warm_ms: number;
  report_csv_ms: number;
  report_html_ms: number;
  /** Reopen the file and start a new orchestrator (the interrupted test resumed), ms. */
  restart_ready_ms: number;
  /** The first GET /tests/:id/report after the restart, ms. */
  restart_report_ms: number;
  /** The resumed test's state and completed count after the restart. */
  restart_state: string;
  completed_before: number;
  completed_after: number;
  /** Whole-test and per-driver latency figures before and after the restart (must be equal). */
  latency_before: unknown;
  latency_after: unknown;
  /** Raw reports still stored at the end (the compact store prunes the others). */
  raw_reports_kept: number;
  /**
   * Peak RSS (MB, Linux VmHWM, reset before each step; null elsewhere) while the stream ran, while
   * GET /tests/:id and the three reports were served at the end, and over the restart and its first report.
   */
  rss_peak_stream_mb: number | null;
  rss_peak_reads_mb: number | null;
  rss_peak_restart_mb: number | null;
}

/** The process's peak RSS since the last call (MB), then the peak is reset (Linux: /proc/self/clear_refs); null where unsupported. */
function peakRssMb(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync("/proc/self/status", "utf8"));
    writeFileSync("/proc/self/clear_refs", "5");
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** A clock whose `now` the stream sets (simulated time); its timers are the real ones. */
function simulatedClock(start: number): Clock & { set(now: number): void } {
  let current = start;
  return { ...systemClock, now: () => current, set: (now: number) => void (current = Math.max(current, now)) };
}

const fileBytes = (path: string) => (existsSync(path) ? statSync(path).size : 0);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function get(app: ReturnType<typeof createApp>, path: string): Promise<void> {
  const res = await app.fetch(new Request(`http://127.0.0.1${path}`));
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

const APP_OPTIONS = { defaultTarget: "http://127.0.0.1:1/ping", allowTargets: ["127.0.0.1"] };

function acceptedOf(orchestrator: Orchestrator, testId: string): number {
  return orchestrator.getTest(testId)?.per_driver.reduce((sum, d) => sum + d.reports, 0) ?? 0;
}

/** Runs one compressed soak and returns its figures. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { dir, drivers, seconds, requestsPerSecond, progress = () => {}, orchestrator: compactOptions = {} } = options;
  const file = join(dir, "orchestrator.sqlite");
  const sqliteSize = () => fileBytes(file) + fileBytes(`${file}-wal`);
  const store = openSqliteStore(file);
  const broker = new MemoryBroker();
  const clock = simulatedClock(Date.now());
  const orchestrator = createOrchestrator({ bus: new MemoryBus(broker), store, clock, log: silentLogger, options: compactOptions });
  await orchestrator.start();
  const ids = Array.from({ length: drivers }, (_, i) => `soak-${String(i + 1).padStart(2, "0")}`);
  const buses = ids.map(() => new MemoryBus(broker));
  const beat = (i: number, testId?: string) =>
    buses[i]!.publish("heartbeat", { node_id: ids[i]!, heartbeat: "YES", timestamp: clock.now(), state: testId ? "running" : "idle", ...(testId ? { test_id: testId } : {}) });
  for (let i = 0; i < drivers; i++) {
    await buses[i]!.publish("register", { node_id: ids[i]!, node_IP: "127.0.0.1", message_type: "DRIVER_NODE_REGISTER" });
    await beat(i);
  }
  for (let tries = 0; orchestrator.listNodes().filter((n) => n.status === "alive").length < drivers; tries++) {
    if (tries > 200) throw new Error("simulated drivers never became alive");
    await Bun.sleep(10);
  }
  const view = await orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 100_000_000, target_url: "http://127.0.0.1:1/ping", trigger: true });
  const testId = view.test_id;
  for (let i = 0; i < drivers; i++) {
    for (const event of ["TEST_ACCEPTED", "TEST_STARTED"] as const) await buses[i]!.publish("driver_event", { node_id: ids[i]!, test_id: testId, event, timestamp: clock.now() });
  }
  const start = orchestrator.getTest(testId)?.start_at ?? clock.now();
  const stats = ids.map((nodeId) => new TestStats({ nodeId, testId, paced: false, startedAtMs: start, epochOffsetMs: start }));
  // Latencies around 2 ms with a slow tail, fixed per second so a run is repeatable.
  const latencyAt = (i: number, n: number) => 1 + 2 * (i / n) + (i % 97 === 0 ? 40 : 0);

  const bytes0 = sqliteSize();
  const rss: SoakRssSample[] = [{ at_s: 0, rss_mb: process.memoryUsage().rss / 2 ** 20 }];
  const sampleEvery = Math.max(1, Math.floor(seconds / 20));
  const t0 = performance.now();
  peakRssMb();
  for (let s = 0; s < seconds; s++) {
    const mono = s * 1000;
    clock.set(start + mono + 1000);
    for (let d = 0; d < drivers; d++) {
      const st = stats[d]!;
      for (let i = 0; i < requestsPerSecond; i++) {
        st.onSend(mono + (1000 * i) / requestsPerSecond, NaN);
        st.onOutcome("status_2xx", latencyAt(i, requestsPerSecond), NaN);
      }
      await buses[d]!.publish("metrics", st.report(start + mono + 1000, false));
    }
    // Every simulated second: liveness is judged on the simulated clock.
    for (let d = 0; d < drivers; d++) await beat(d, testId);
    if ((s + 1) % sampleEvery === 0 || s === seconds - 1) {
      // Let the orchestrator catch up before the next batch, so the stream never runs ahead by more than a sample.
      const want = (s + 1) * drivers;
      for (let tries = 0; acceptedOf(orchestrator, testId) < want; tries++) {
        if (tries > 6_000) throw new Error(`orchestrator stuck at ${acceptedOf(orchestrator, testId)}/${want} reports`);
        await Bun.sleep(5);
      }
      rss.push({ at_s: s + 1, rss_mb: process.memoryUsage().rss / 2 ** 20 });
      progress(`  soak: ${s + 1}/${seconds} s sent, RSS ${rss[rss.length - 1]!.rss_mb.toFixed(0)} MB, SQLite ${((sqliteSize() - bytes0) / 2 ** 20).toFixed(1)} MB`);
    }
  }
  const stream_s = (performance.now() - t0) / 1000;
  const accepted = acceptedOf(orchestrator, testId);
  const sqlite_bytes = sqliteSize() - bytes0;
  const rss_peak_stream_mb = peakRssMb();

  const app = createApp(orchestrator, APP_OPTIONS);
  const gets: number[] = [];
  for (let i = 0; i < 5; i++) gets.push(await timed(() => get(app, `/tests/${testId}`)));
  gets.sort((a, b) => a - b);
  const report_json_ms = await timed(() => get(app, `/tests/${testId}/report`));
  const report_json_warm_ms = await timed(() => get(app, `/tests/${testId}/report`));
  const report_csv_ms = await timed(() => get(app, `/tests/${testId}/report?format=csv`));
  const report_html_ms = await timed(() => get(app, `/tests/${testId}/report?format=html`));
  const before = orchestrator.getTest(testId)!;
  const completed_before = before.metrics.counts.completed;
  const latencyOf = (view: NonNullable<ReturnType<Orchestrator["getTest"]>>) => ({ total: view.metrics.latency, drivers: view.per_driver.map((d) => d.latency) });
  const latency_before = latencyOf(before);
  const rss_peak_reads_mb = peakRssMb();

  // Restart: the test is still running, so the new orchestrator marks it interrupted and keeps its results.
  orchestrator.stop();
  store.close();
  let restarted: Orchestrator | null = null;
  const restart_ready_ms = await timed(async () => {
    restarted = createOrchestrator({ bus: new MemoryBus(broker), store: openSqliteStore(file), clock, log: silentLogger, options: compactOptions });
    await restarted.start();
  });
  const again = restarted! as Orchestrator;
  const restart_report_ms = await timed(() => get(createApp(again, APP_OPTIONS), `/tests/${testId}/report`));
  const after = again.getTest(testId)!;
  const rss_peak_restart_mb = peakRssMb();
  again.stop();
  const reopened = openSqliteStore(file);
  const raw_reports_kept = reopened.reports(testId).length;
  reopened.close();
  for (const bus of buses) await bus.close();

  return {
    drivers,
    seconds,
    requests_per_s: requestsPerSecond,
    reports: drivers * seconds,
    accepted,
    sqlite_bytes,
    sqlite_bytes_per_driver_second: sqlite_bytes / (drivers * seconds),
    rss,
    stream_s,
    get_test_ms: gets[2]!,
    get_test_max_ms: gets[4]!,
    report_json_ms,
    report_json_warm_ms,
    report_csv_ms,
    report_html_ms,
    restart_ready_ms,
    restart_report_ms,
    restart_state: after.state,
    completed_before,
    completed_after: after.metrics.counts.completed,
    latency_before,
    latency_after: latencyOf(after),
    raw_reports_kept,
    rss_peak_stream_mb,
    rss_peak_reads_mb,
    rss_peak_restart_mb,
  };
}

/** RSS growth per simulated hour (MB), by a least-squares line over the second half of the run (after warm-up). */
export function rssSlopeMbPerHour(samples: readonly SoakRssSample[]): number {
  const half = samples.slice(Math.floor(samples.length / 2));
  if (half.length < 2) return 0;
  const mx = half.reduce((s, p) => s + p.at_s, 0) / half.length;
  const my = half.reduce((s, p) => s + p.rss_mb, 0) / half.length;
  const sxx = half.reduce((s, p) => s + (p.at_s - mx) ** 2, 0);
  const sxy = half.reduce((s, p) => s + (p.at_s - mx) * (p.rss_mb - my), 0);
  return sxx === 0 ? 0 : (sxy / sxx) * 3600;
}
