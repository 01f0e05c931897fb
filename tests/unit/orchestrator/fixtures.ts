import type { TestRecord } from "../../../src/orchestrator/test-state.ts";
import { MemoryBroker, MemoryBus } from "../../../src/bus/index.ts";
import { silentLogger } from "../../../src/log.ts";
import { ManualClock } from "../../../src/orchestrator/clock.ts";
import { createOrchestrator, type Orchestrator } from "../../../src/orchestrator/orchestrator.ts";
import { createMemoryStore, type OrchestratorStore } from "../../../src/orchestrator/store.ts";
import { TestStats } from "../../../src/driver/test-stats.ts";
import type { MetricsReport } from "../../../src/protocol/index.ts";
import { waitFor } from "../../helpers/wait.ts";

export const T0 = 1_700_000_000_000;

/** A running AVALANCHE test "t1" of 100 requests per driver, started at T0. */
export const runningRecord = (drivers: string[] = ["d1", "d2"]): TestRecord => ({
  test_id: "t1",
  state: "running",
  config: { test_id: "t1", test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 100 },
  drivers,
  created_at: T0,
  triggered_at: T0,
  start_at: T0,
  ended_at: null,
  error: null,
});

/**
 * Builds the reports a driver would send, with the driver's own {@link TestStats} (so the
 * report shape the orchestrator is tested against is the one drivers put on the wire): each
 * `window()` call sends and completes one second of requests (all 2xx, plus `errors` timeouts),
 * closes the window and returns the report, counts cumulative, window that second only.
 */
export class FakeDriverReports {
  private readonly stats: TestStats;
  /** Monotonic ms of the current window's start; mono 0 is the epoch ms `start`. */
  private monoMs = 0;

  constructor(
    readonly nodeId: string,
    readonly testId: string,
    private readonly start = T0,
  ) {
    this.stats = new TestStats({ nodeId, testId, paced: false, startedAtMs: start, epochOffsetMs: start });
  }

  window(latencies: number[], { final = false, errors = 0 }: { final?: boolean; errors?: number } = {}): MetricsReport {
    const n = latencies.length + errors;
    // Sends spread over the second, the first at its start and the last at its end.
    const sentAt = (i: number) => this.monoMs + (n === 1 ? 1000 : (1000 * i) / (n - 1));
    latencies.forEach((ms, i) => {
      this.stats.onSend(sentAt(i), NaN);
      this.stats.onOutcome("status_2xx", ms, NaN);
    });
    for (let i = latencies.length; i < n; i++) {
      this.stats.onSend(sentAt(i), NaN);
      this.stats.onOutcome("timeout", NaN, NaN);
    }
    this.monoMs += 1000;
    return this.stats.report(this.start + this.monoMs, final);
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
