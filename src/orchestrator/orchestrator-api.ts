import type { Bus } from "../bus/index.ts";
import type { TestConfig } from "../protocol/index.ts";
import type { Logger } from "../log.ts";
import type { BusHealth } from "./bus-health.ts";
import type { Clock } from "./clock.ts";
import type { DropCounts } from "./counters.ts";
import type { TestDistribution } from "./distribution.ts";
import type { EventHub, OrchestratorEvent } from "./event-hub.ts";
import type { NodeCounters } from "./node-intake.ts";
import type { OrchestratorOptions } from "./options.ts";
import type { NodePage, NodeView } from "./registry.ts";
import type { TestSeries } from "./series.ts";
import type { TestView } from "./snapshot.ts";
import type { StopTestOptions } from "./stopping.ts";
import type { OrchestratorStore } from "./store.ts";
import type { TestRequest } from "./test-request.ts";
import type { TestSummary } from "./test-summary.ts";

/** What createOrchestrator (orchestrator.ts) is built from: the outside world, injected (real ones in main.ts). */
export interface OrchestratorDeps {
  bus: Bus;
  store: OrchestratorStore;
  clock: Clock;
  log: Logger;
  options?: Partial<OrchestratorOptions>;
  /** Makes test ids (default: random UUIDs). */
  newTestId?: () => string;
}

/** The orchestrator core: node registry, tests, aggregation and the event hub; no HTTP. */
export interface Orchestrator {
  readonly options: OrchestratorOptions;
  readonly events: EventHub<OrchestratorEvent>;
  /** Restores state from the store, subscribes to the drivers' topics and starts the tick. */
  start(): Promise<void>;
  /** Stops the tick and saves the nodes; the bus and store stay open (their owner closes them). */
  stop(): void;
  createTest(request: TestRequest): Promise<TestView>;
  triggerTest(testId: string): Promise<TestView>;
  /**
   * Stops a test: a created one is cancelled at once (state `stopped`); a running one is told
   * to stop on the bus and ends `stopped` once its drivers settled or grace + `stopSlackMs`
   * passed. Returns the view at the time of the call; `not_found` for an unknown id,
   * `conflict` for an ended test, `invalid` for a grace out of range.
   */
  stopTest(testId: string, options?: StopTestOptions): Promise<TestView>;
  getTest(testId: string): TestView | null;
  /** A test's whole configuration as created, `data` rows included (views leave them out); null for an unknown test. */
  getTestConfig(testId: string): TestConfig | null;
  listTests(limit: number, offset: number): { tests: TestSummary[]; total: number };
  listNodes(): NodeView[];
  /** One page of nodes, live ones first (GET /nodes, the SSE `state`). */
  pageNodes(limit: number, offset: number): NodePage;
  /**
   * Forgets a node now (memory and store). Throws not_found for an unknown node and conflict
   * for a node taking part in a running test.
   */
  deleteNode(nodeId: string): void;
  /** Nodes by status, those in conflict, and heartbeats from nodes that never registered. */
  nodeCounters(): NodeCounters;
  /** Snapshots of the running tests right now (what the tick emits). */
  snapshots(): TestView[];
  /** Sweeps liveness, ends tests that can end, emits snapshots; the clock calls it every `tickMs`. */
  tick(): void;
  /** Messages dropped by the bus and by the orchestrator. */
  counters(): DropCounts;
  /**
   * A test's per-second series (null for an unknown test): live from the core model for a
   * running or recently ended test, else rebuilt from its stored reports by the same code.
   */
  series(testId: string): TestSeries | null;
  /** One request name's per-second series of a scenario test (null for an unknown test or name). */
  requestSeries(testId: string, name: string): TestSeries | null;
  /** A test's latency by percentile (null for an unknown test), from the same core model as its series. */
  distribution(testId: string): TestDistribution | null;
  /** The bus's health now: degraded topics and whether it receives (for /healthz, /metrics, the dashboard). */
  busHealth(): BusHealth;
}
