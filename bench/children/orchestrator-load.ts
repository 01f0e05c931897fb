// Bench child: the orchestrator core (createOrchestrator over a MemoryBus, SQLite store in a
// temp folder) fed by N simulated drivers that each publish a heartbeat and a metrics report
// every second (pre-encoded, realistic digests, spread across the second like real drivers).
// Measures the process's CPU, the tick's duration, and report publication → the first
// snapshot on `orchestrator.events` that includes it. Prints one JSON line. argv: drivers seconds.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryBroker, MemoryBus } from "../../src/bus/memory-bus.ts";
import { silentLogger } from "../../src/log.ts";
import { createApp, createOrchestrator, openSqliteStore, systemClock, type Clock, type TestView } from "../../src/orchestrator/index.ts";
import { encode, type Counts, type MetricsReport } from "../../src/protocol/index.ts";
import { LatencyRecorder } from "../../src/stats/latency-recorder.ts";
import { Samples } from "../summary.ts";

/** What this child prints. */
export interface OrchestratorLoadResult {
  drivers: number;
  seconds: number;
  reports_published: number;
  reports_seen_in_snapshots: number;
  /** Process CPU (user + system) over the measured seconds, as % of one core. */
  cpu_percent: number;
  tick_p50_ms: number;
  tick_max_ms: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
  latency_max_ms: number;
  /** The same, to the snapshot event read by an SSE client of GET /tests/:id/events. */
  sse_reports_seen: number;
  sse_p50_ms: number;
  sse_p99_ms: number;
  sse_max_ms: number;
  report_bytes: number;
}

const drivers = Number(Bun.argv[2] ?? 8);
const seconds = Number(Bun.argv[3] ?? 10);
const WINDOW_REQUESTS = 10_000;
const DISTINCT_WINDOWS = 8;

// Realistic window digests: log-normal latencies around 1 ms, recorded by the driver's own recorder.
const windows = Array.from({ length: DISTINCT_WINDOWS }, (_, w) => {
  const rec = new LatencyRecorder();
  for (let i = 0; i < WINDOW_REQUESTS; i++) rec.record(Math.exp(Math.log(1 + w / 10) + 0.6 * gaussian()));
  const closed = rec.closeWindow();
  return { ...closed, summary: rec.totalSummary() };
});
function gaussian(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

const dir = mkdtempSync(join(tmpdir(), "bench-orch-"));
const store = openSqliteStore(join(dir, "orchestrator.sqlite"));
const broker = new MemoryBroker();
const orchestratorBus = new MemoryBus(broker);
const ticks = new Samples();
const timedClock: Clock = {
  now: systemClock.now,
  mono: systemClock.mono,
  setTimeout: systemClock.setTimeout,
  clearTimeout: systemClock.clearTimeout,
  defer: systemClock.defer,
  every(intervalMs, fn) {
    return systemClock.every(intervalMs, () => {
      const t = performance.now();
      fn();
      ticks.push(performance.now() - t);
    });
  },
};
const orchestrator = createOrchestrator({ bus: orchestratorBus, store, clock: timedClock, log: silentLogger });
await orchestrator.start();

const ids = Array.from({ length: drivers }, (_, i) => `sim-${String(i + 1).padStart(2, "0")}`);
const buses = ids.map(() => new MemoryBus(broker));
const beat = (i: number, testId?: string) =>
  buses[i]!.publish("heartbeat", { node_id: ids[i]!, heartbeat: "YES", timestamp: Date.now(), state: testId ? "running" : "idle", ...(testId ? { test_id: testId } : {}) });
for (let i = 0; i < drivers; i++) {
  await buses[i]!.publish("register", { node_id: ids[i]!, node_IP: "127.0.0.1", message_type: "DRIVER_NODE_REGISTER" });
  await beat(i);
}
await Bun.sleep(50);
const view = await orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 100_000_000, target_url: "http://127.0.0.1:1/ping", trigger: true });
const testId = view.test_id;
for (let i = 0; i < drivers; i++) {
  for (const event of ["TEST_ACCEPTED", "TEST_STARTED"] as const) await buses[i]!.publish("driver_event", { node_id: ids[i]!, test_id: testId, event, timestamp: Date.now() });
}

const publishedAt: number[][] = ids.map(() => []);
const indexOf = new Map(ids.map((id, i) => [id, i]));

// An SSE client of the real HTTP app, in this process, reading the test's event stream.
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: createApp(orchestrator, { defaultTarget: "http://127.0.0.1:1/ping", allowTargets: ["127.0.0.1"] }).fetch });
const sseSeen: boolean[][] = ids.map(() => new Array<boolean>(seconds).fill(false));
const sseLatencies = new Samples();
const sseAbort = new AbortController();
void (async () => {
  const res = await fetch(`http://127.0.0.1:${server.port}/tests/${testId}/events`, { signal: sseAbort.signal });
  const decoder = new TextDecoder();
  let text = "";
  try {
    for await (const chunk of res.body!) {
      text += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = text.indexOf("\n\n")) !== -1) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        if (!block.startsWith("event: snapshot")) continue;
        const at = performance.now();
        const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
        const view = (JSON.parse(data) as { test: TestView }).test;
        for (const d of view.per_driver) {
          const i = indexOf.get(d.node_id);
          if (i === undefined || d.last_sequence === null) continue;
          for (let s = 0; s <= d.last_sequence; s++) {
            if (sseSeen[i]![s] || publishedAt[i]![s] === undefined) continue;
            sseSeen[i]![s] = true;
            sseLatencies.push(at - publishedAt[i]![s]!);
          }
        }
      }
    }
  } catch {
    // Aborted at the end of the run.
  }
})();

// Pre-encode every report, so the measured CPU is the orchestrator's, not the simulation's.
const t0 = Date.now() + 200;
const encoded: string[][] = ids.map((nodeId, i) =>
  Array.from({ length: seconds }, (_, s) => {
    const closed = windows[(i + s) % DISTINCT_WINDOWS]!;
    const perWindow = WINDOW_REQUESTS;
    const counts: Counts = { sent: perWindow * (s + 1), completed: perWindow * (s + 1), status_2xx: perWindow * (s + 1), status_3xx: 0, status_4xx: 0, status_5xx: 0, timeout: 0, connection_error: 0, late: 0 };
    const windowCounts: Counts = { ...counts, sent: perWindow, completed: perWindow, status_2xx: perWindow };
    const end = t0 + (s + 1) * 1000;
    const report: MetricsReport = {
      node_id: nodeId,
      test_id: testId,
      report_id: `${nodeId}:${testId}:${s}`,
      metrics: closed.summary,
      sequence: s,
      final: false,
      timestamp: end,
      counts,
      window: { start_ms: end - 1000, end_ms: end, counts: windowCounts, latency_sum_ms: closed.exact.sum, min_latency: closed.exact.min, max_latency: closed.exact.max, digest: closed.digest },
      first_send_at: t0,
      last_send_at: end,
    };
    return encode("metrics", report);
  }),
);

const seen: boolean[][] = ids.map(() => new Array<boolean>(seconds).fill(false));
const latencies = new Samples();
orchestrator.events.subscribe((event) => {
  if (event.type !== "test" || event.test_id !== testId) return;
  const at = performance.now();
  for (const d of event.snapshot.per_driver) {
    const i = indexOf.get(d.node_id);
    if (i === undefined || d.last_sequence === null) continue;
    for (let s = 0; s <= d.last_sequence; s++) {
      if (seen[i]![s] || publishedAt[i]![s] === undefined) continue;
      seen[i]![s] = true;
      latencies.push(at - publishedAt[i]![s]!);
    }
  }
});

// Each simulated driver reports once a second, offset by its index so reports spread like real ones.
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
await Bun.sleep(t0 - Date.now());
const done = ids.map(
  (_, i) =>
    new Promise<void>((resolve) => {
      let s = 0;
      const publish = () => {
        publishedAt[i]![s] = performance.now();
        void buses[i]!.publishRaw("metrics", encoded[i]![s]!);
        void beat(i, testId);
        s++;
        if (s < seconds) setTimeout(publish, t0 + (s + 1) * 1000 + (i * 1000) / drivers - 1000 - Date.now());
        else resolve();
      };
      setTimeout(publish, (i * 1000) / drivers);
    }),
);
await Promise.all(done);
// Give the last reports one more tick to reach a snapshot.
await Bun.sleep(orchestrator.options.tickMs + 200);
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - wall0;
sseAbort.abort();
orchestrator.stop();
void server.stop(true);
store.close();
rmSync(dir, { recursive: true, force: true });

const [tp50, tmax] = ticks.quantiles([0.5, 1]);
const [lp50, lp99, lmax] = latencies.quantiles([0.5, 0.99, 1]);
const [sp50, sp99, smax] = sseLatencies.quantiles([0.5, 0.99, 1]);
const result: OrchestratorLoadResult = {
  drivers,
  seconds,
  reports_published: drivers * seconds,
  reports_seen_in_snapshots: latencies.length,
  cpu_percent: ((cpu.user + cpu.system) / 1000 / wall) * 100,
  tick_p50_ms: tp50!,
  tick_max_ms: tmax!,
  latency_p50_ms: lp50!,
  latency_p99_ms: lp99!,
  latency_max_ms: lmax!,
  sse_reports_seen: sseLatencies.length,
  sse_p50_ms: sp50!,
  sse_p99_ms: sp99!,
  sse_max_ms: smax!,
  report_bytes: Math.round(encoded.flat().reduce((sum, e) => sum + Buffer.byteLength(e), 0) / (drivers * seconds)),
};
console.log(JSON.stringify(result));
process.exit(0);
