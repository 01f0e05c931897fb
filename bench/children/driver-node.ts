// Bench child: one real driver (createDriver: send loop, token bucket, stats, 1 s reports,
// outbox) on an in-process MemoryBus, with a stand-in orchestrator on the same broker that
// publishes one configuration and one trigger and collects every report. Prints one JSON
// line (DriverNodeResult). The job comes as JSON in argv[2].
import { MemoryBroker, MemoryBus } from "../../src/bus/memory-bus.ts";
import { createDriver } from "../../src/driver/driver.ts";
import { silentLogger } from "../../src/log.ts";
import { encode, type Counts, type LatencySummary, type MetricsReport } from "../../src/protocol/index.ts";
import { driverHttpOptions, type SenderChoice } from "../sender-choice.ts";

/** What the parent asks this child to run. */
export interface DriverNodeJob {
  url: string;
  mode: "AVALANCHE" | "TSUNAMI";
  count: number;
  delay_ms?: number;
  throughput?: number;
  concurrency?: number;
  /** Ends the test (as a stop would) after this long; absent, it runs to `count`. */
  stop_after_ms?: number;
  /** The HTTP path: as `bun run driver` wires it (default), or plain fetch (the "before"). */
  sender?: SenderChoice;
  /** Bun Workers the driver sends on (`--workers`); absent or 1, the in-thread loop. */
  workers?: number;
}

/** What this child prints. */
export interface DriverNodeResult {
  /** Trigger published → final report received, monotonic. */
  elapsed_ms: number;
  counts: Counts;
  metrics: LatencySummary;
  due_metrics: LatencySummary | null;
  first_send_at: number | null;
  last_send_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  reports: number;
  /** Largest and final encoded metrics message, bytes of UTF-8 JSON. */
  max_report_bytes: number;
  final_report_bytes: number;
  /**
   * Steady state: this process's CPU (every thread, µs) and responses between its second 1 s
   * report and its last one before the final, so startup and JIT warm-up are left out; null
   * when the run had fewer than three reports.
   */
  steady: { cpu_us: number; completed: number } | null;
}

const job = JSON.parse(Bun.argv[2] ?? "{}") as DriverNodeJob;
const TEST_ID = "bench-test";
const NODE_ID = "bench-driver-1";

const broker = new MemoryBroker();
const driverBus = new MemoryBus(broker);
const controlBus = new MemoryBus(broker);
const collect = { mode: { kind: "collect", group: "bench" } } as const;

let reports = 0;
/** CPU (µs, whole process) and responses at each non-final report. */
const marks: { cpu_us: number; completed: number }[] = [];
let maxReportBytes = 0;
let started_at: number | null = null;
let finished_at: number | null = null;
const accepted = Promise.withResolvers<void>();
const final = Promise.withResolvers<{ report: MetricsReport; bytes: number; at: number }>();

await controlBus.subscribe("metrics", collect, (report) => {
  const bytes = Buffer.byteLength(encode("metrics", report));
  reports++;
  if (!report.final) {
    const cpu = process.cpuUsage();
    marks.push({ cpu_us: cpu.user + cpu.system, completed: report.counts?.completed ?? 0 });
  }
  if (bytes > maxReportBytes) maxReportBytes = bytes;
  if (report.final) final.resolve({ report, bytes, at: performance.now() });
});
await controlBus.subscribe("driver_event", collect, (event) => {
  if (event.event === "TEST_ACCEPTED") accepted.resolve();
  if (event.event === "TEST_REJECTED") accepted.reject(new Error(event.error ?? "rejected"));
  if (event.event === "TEST_STARTED") started_at = event.timestamp ?? null;
  if (event.event === "TEST_FINISHED") finished_at = event.timestamp ?? null;
});
await controlBus.subscribe("heartbeat", collect, () => {});
await controlBus.subscribe("register", collect, () => {});

const driver = createDriver({ bus: driverBus, nodeId: NODE_ID, nodeIp: "127.0.0.1", log: silentLogger, ...driverHttpOptions(job.sender), ...(job.workers !== undefined ? { workers: job.workers } : {}) });
await driver.start();
await controlBus.publish("test_config", {
  test_id: TEST_ID,
  test_type: job.mode,
  test_message_delay: job.delay_ms ?? 0,
  message_count_per_driver: job.count,
  target_url: job.url,
  ...(job.throughput !== undefined ? { target_throughput: job.throughput } : {}),
  ...(job.concurrency !== undefined ? { concurrency: job.concurrency } : {}),
});
await accepted.promise;

const triggeredMs = performance.now();
await controlBus.publish("trigger", { test_id: TEST_ID, trigger: "YES" });
if (job.stop_after_ms !== undefined) setTimeout(() => void driver.stop(), job.stop_after_ms);
const { report, bytes, at } = await final.promise;
await driver.stop();

const result: DriverNodeResult = {
  elapsed_ms: at - triggeredMs,
  counts: report.counts!,
  metrics: report.metrics,
  due_metrics: report.due_metrics ?? null,
  first_send_at: report.first_send_at ?? null,
  last_send_at: report.last_send_at ?? null,
  started_at,
  finished_at,
  reports,
  max_report_bytes: maxReportBytes,
  final_report_bytes: bytes,
  steady: marks.length >= 3 ? { cpu_us: marks.at(-1)!.cpu_us - marks[1]!.cpu_us, completed: marks.at(-1)!.completed - marks[1]!.completed } : null,
};
console.log(JSON.stringify(result));
process.exit(0);
