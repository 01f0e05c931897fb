import { MemoryBroker, MemoryBus } from "../../../src/bus/index.ts";
import { silentLogger } from "../../../src/log.ts";
import { ManualClock } from "../../../src/orchestrator/clock.ts";
import { createOrchestrator, type Orchestrator } from "../../../src/orchestrator/orchestrator.ts";
import { createMemoryStore, type OrchestratorStore } from "../../../src/orchestrator/store.ts";
import { addCounts, zeroCounts, type MetricsReport } from "../../../src/protocol/index.ts";
import { LatencyRecorder } from "../../../src/stats/latency-recorder.ts";
import { waitFor } from "../../helpers/wait.ts";

export const T0 = 1_700_000_000_000;

/**
 * Builds the reports a driver would send: each `window()` call closes one second of
 * latencies (all 2xx) and returns the report, counts cumulative, window that second only.
 */
export class FakeDriverReports {
  private readonly recorder = new LatencyRecorder();
  private readonly counts = zeroCounts();
  private sequence = 0;
  private windowStart: number;

  constructor(
    readonly nodeId: string,
    readonly testId: string,
    private now = T0,
  ) {
    this.windowStart = now;
  }

  window(latencies: number[], { final = false, errors = 0 }: { final?: boolean; errors?: number } = {}): MetricsReport {
    for (const ms of latencies) this.recorder.record(ms);
    const windowCounts = { ...zeroCounts(), sent: latencies.length + errors, completed: latencies.length, status_2xx: latencies.length, status_5xx: 0, timeout: errors };
    addCounts(this.counts, windowCounts);
    const closed = this.recorder.closeWindow();
    this.now += 1000;
    const sequence = this.sequence++;
    const report: MetricsReport = {
      node_id: this.nodeId,
      test_id: this.testId,
      report_id: `${this.nodeId}:${this.testId}:${sequence}`,
      metrics: this.recorder.totalSummary(),
      sequence,
      final,
      timestamp: this.now,
      counts: { ...this.counts },
      window: {
        start_ms: this.windowStart,
        end_ms: this.now,
        counts: windowCounts,
        latency_sum_ms: closed.exact.sum,
        ...(closed.exact.count > 0 ? { min_latency: closed.exact.min, max_latency: closed.exact.max } : {}),
        digest: closed.digest,
      },
      ...(final ? { total_digest: this.recorder.totalDigest() } : {}),
      first_send_at: T0,
      last_send_at: this.now,
    };
    this.windowStart = this.now;
    return report;
  }
}

/** `n` latencies spread evenly over [from, to). */
export function spread(n: number, from: number, to: number): number[] {
  return Array.from({ length: n }, (_, i) => from + ((to - from) * i) / n);
}

/** The exact median of a list of numbers. */
export function exactMedian(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** An orchestrator over a MemoryBus, memory store and manual clock, with a driver-side bus for fake drivers. */
export async function startHarness(options: { store?: OrchestratorStore; clock?: ManualClock; ids?: string[] } = {}) {
  const broker = new MemoryBroker();
  const bus = new MemoryBus(broker);
  const drivers = new MemoryBus(broker);
  const clock = options.clock ?? new ManualClock(T0);
  const store = options.store ?? createMemoryStore();
  const ids = [...(options.ids ?? [])];
  let n = 0;
  const orchestrator = createOrchestrator({ bus, store, clock, log: silentLogger, newTestId: () => ids.shift() ?? `test-${++n}` });
  await orchestrator.start();

  /** Registers a driver and waits until the orchestrator knows it. */
  const join = async (nodeId: string) => {
    await drivers.publish("register", { node_id: nodeId, node_IP: "10.0.0.1", message_type: "DRIVER_NODE_REGISTER" });
    await waitFor(`${nodeId} to be alive`, () => orchestrator.listNodes().some((x) => x.node_id === nodeId && x.status === "alive"));
  };
  /** Every driver beats once (at the orchestrator's current time), and we wait until all beats landed. */
  const beat = async (...nodeIds: string[]) => {
    for (const nodeId of nodeIds) await drivers.publish("heartbeat", { node_id: nodeId, heartbeat: "YES", timestamp: clock.now() });
    await waitFor("heartbeats to land", () =>
      nodeIds.every((id) => orchestrator.listNodes().find((x) => x.node_id === id)?.last_heartbeat_at === clock.now()),
    );
  };
  /** Publishes a report and waits until it is counted (accepted or dropped). */
  const report = async (r: MetricsReport) => {
    const before = settledReports(orchestrator);
    await drivers.publish("metrics", r);
    await waitFor(`report ${r.report_id} to be handled`, () => settledReports(orchestrator) > before || undefined);
  };
  const stop = async () => {
    orchestrator.stop();
    await bus.close();
    await drivers.close();
  };
  return { orchestrator, bus, drivers, clock, store, join, beat, report, stop };
}

/** Reports the orchestrator has handled: accepted ones (across every test) plus dropped ones. */
function settledReports(orchestrator: Orchestrator): number {
  const { dropped } = orchestrator.counters();
  const accepted = orchestrator.listTests(100, 0).tests.reduce((sum, t) => sum + reportsOf(orchestrator, t.test_id), 0);
  return accepted + dropped.duplicate_report + dropped.unknown_test + dropped.not_participant + dropped.after_end;
}

function reportsOf(orchestrator: Orchestrator, testId: string): number {
  return orchestrator.getTest(testId)?.per_driver.reduce((sum, d) => sum + d.reports, 0) ?? 0;
}
