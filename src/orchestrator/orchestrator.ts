import type { Bus, Handler } from "../bus/index.ts";
import type { Logger } from "../log.ts";
import { busHealthOf, degradedBusFailure, type BusHealth } from "./bus-health.ts";
import type { DriverEvent, Heartbeat, MetricsReport, Register, TestConfig, TopicKey } from "../protocol/index.ts";
import type { Clock } from "./clock.ts";
import { createDropCounters, type DropCounts, type DropReason } from "./counters.ts";
import { OrchestratorError } from "./errors.ts";
import { createEventHub, type EventHub, type OrchestratorEvent } from "./event-hub.ts";
import { LiveTest } from "./live-test.ts";
import { resolveOptions, type OrchestratorOptions } from "./options.ts";
import { NodeRegistry, type NodeEvent, type NodeView } from "./registry.ts";
import type { TestView } from "./snapshot.ts";
import type { OrchestratorStore } from "./store.ts";
import type { TestRequest } from "./test-request.ts";
import { summarizeTest, type TestSummary } from "./test-summary.ts";
import type { Evaluation, TestRecord } from "./test-state.ts";

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
  getTest(testId: string): TestView | null;
  listTests(limit: number, offset: number): { tests: TestSummary[]; total: number };
  listNodes(): NodeView[];
  /** Snapshots of the running tests right now (what the tick emits). */
  snapshots(): TestView[];
  /** Sweeps liveness, ends tests that can end, emits snapshots; the clock calls it every `tickMs`. */
  tick(): void;
  /** Messages dropped by the bus and by the orchestrator. */
  counters(): DropCounts;
  /** A test's accepted reports in the order received (per-second series after a restart). */
  reports(testId: string): { report: MetricsReport; received_at: number }[];
  /** The bus's health now: degraded topics and whether it receives (for /healthz, /metrics, the dashboard). */
  busHealth(): BusHealth;
}

/** Builds an orchestrator over injected bus, store, clock and logger. */
export function createOrchestrator({ bus, store, clock, log, options: partial, newTestId = () => crypto.randomUUID() }: OrchestratorDeps): Orchestrator {
  const options = resolveOptions(partial);
  const registry = new NodeRegistry(options);
  const live = new Map<string, LiveTest>();
  const drops = createDropCounters();
  const events = createEventHub<OrchestratorEvent>((err) => log.error("event listener failed", { err }));
  let stopTick: (() => void) | undefined;
  /** When the bus stopped receiving (null while it receives) and until when silence is excused after. */
  let outageSince: number | null = null;
  let graceUntil = 0;
  /**
   * The test a `POST /tests` with `trigger` is creating, holding the run slot from its first
   * synchronous step: a second such request, or a trigger, is refused with 409 before anything
   * of it is created or published (two concurrent create-and-trigger requests used to leave the
   * loser's test `created` for ever).
   */
  let reservedBy: string | null = null;
  /** The last bus health announced on the hub, as JSON, so only changes are emitted. */
  let announcedHealth = "";

  const drop = (reason: DropReason, fields: Record<string, unknown>) => {
    drops.add(reason);
    log.debug(`dropped message: ${reason}`, fields);
  };

  const announce = (nodeEvents: NodeEvent[]) => {
    for (const { event, node } of nodeEvents) {
      store.saveNode(node);
      log.info(`node ${event}`, { node_id: node.node_id, node_IP: node.node_IP, status: node.status });
      events.emit({ type: "node", event, node });
    }
  };

  /**
   * Liveness is judged only on what the orchestrator could have received: as of the moment up
   * to which its bus has received everything (a fetch ago while the broker is up). While the
   * bus is down that moment stands still, so no node dies and no test stalls for the silence.
   * Once it receives again, silence is excused for as long as the outage lasted (at most
   * `busRecoveryGraceMs`), so drivers whose producers reconnect a little later are not
   * declared dead, and each running test's stall timer starts over. Returns the time at which
   * liveness is judged.
   */
  const livenessNow = (now: number): number => {
    const through = Math.min(now, bus.receivedThrough?.() ?? now);
    if (now - through > options.busStaleMs) {
      if (outageSince === null) {
        outageSince = through;
        log.warn("bus stopped receiving: driver liveness is on hold until it is back", { last_received_at: through });
      }
      return outageSince;
    }
    if (outageSince !== null) {
      const outageMs = now - outageSince;
      outageSince = null;
      graceUntil = now + Math.min(outageMs, options.busRecoveryGraceMs);
      for (const test of live.values()) if (test.record.state === "running") test.resetActivity(now);
      log.info("bus receiving again", { outage_ms: outageMs, grace_ms: graceUntil - now });
    }
    return through;
  };

  const evaluate = (test: LiveTest): Evaluation => {
    const now = clock.now();
    const evaluation = test.evaluate(registry, livenessNow(now), options);
    if (!evaluation.ended) return evaluation;
    const { record } = test;
    record.state = evaluation.state;
    record.ended_at = now;
    record.error = evaluation.error;
    const result = test.view(registry, now, evaluation.outcomes);
    store.saveTest(record, result);
    live.delete(record.test_id);
    log.info(`test ${record.state}`, { test_id: record.test_id, error: record.error, sent: result.metrics.counts.sent });
    events.emit({ type: "test_final", test_id: record.test_id, result });
    return evaluation;
  };

  /** Ends a running test `failed` with `error` whatever its reports say (the bus stayed degraded). */
  const failTest = (test: LiveTest, error: string) => {
    const now = clock.now();
    const { outcomes } = test.evaluate(registry, livenessNow(now), options);
    Object.assign(test.record, { state: "failed", ended_at: now, error });
    const result = test.view(registry, now, outcomes);
    store.saveTest(test.record, result);
    live.delete(test.test_id);
    log.warn("test failed", { test_id: test.test_id, error, sent: result.metrics.counts.sent });
    events.emit({ type: "test_final", test_id: test.test_id, result });
  };

  const busHealth = (): BusHealth => busHealthOf(bus.degradedTopics?.() ?? [], outageSince, options.busDegradedFailMs);

  /** The live test a message is about, or the reason to drop the message. */
  const liveTestFor = (testId: string, nodeId: string): LiveTest | DropReason => {
    const test = live.get(testId);
    if (!test) return store.getTest(testId) ? "after_end" : "unknown_test";
    return test.participants.has(nodeId) ? test : "not_participant";
  };

  const onRegister = (message: Register) => announce(registry.register(message, clock.now()));

  const onHeartbeat = (message: Heartbeat) => {
    const now = clock.now();
    announce(registry.heartbeat(message, now));
    if (message.state === "running" && message.test_id) live.get(message.test_id)?.touch(message.node_id, now);
  };

  const onReport = (report: MetricsReport) => {
    const now = clock.now();
    announce(registry.sawActivity(report.node_id, now));
    const test = liveTestFor(report.test_id, report.node_id);
    const fields = { test_id: report.test_id, node_id: report.node_id, report_id: report.report_id };
    if (typeof test === "string") return drop(test, fields);
    if (test.aggregate.seen.has(report.report_id) || !store.saveReport(report, now)) return drop("duplicate_report", fields);
    test.applyReport(report, now);
    events.emit({ type: "report", test_id: report.test_id, report, received_at: now });
    // From the aggregate (highest sequence), so a late, older report cannot move it back.
    const driver = test.aggregate.drivers.get(report.node_id);
    if (driver) registry.noteSent(report.node_id, report.test_id, driver.counts.sent);
    evaluate(test);
  };

  const onDriverEvent = (event: DriverEvent) => {
    announce(registry.sawActivity(event.node_id, clock.now()));
    const test = liveTestFor(event.test_id, event.node_id);
    if (typeof test === "string") return drop(test, { test_id: event.test_id, node_id: event.node_id, event: event.event });
    if (event.event === "TEST_REJECTED") log.warn("driver rejected a test", { test_id: event.test_id, node_id: event.node_id, error: event.error });
    test.applyDriverEvent(event, clock.now());
    evaluate(test);
  };

  /** A handler that never throws into the bus: a failure is logged and counted. */
  const guarded = <T extends TopicKey>(topic: T, handler: Handler<T>): Handler<T> => (message) => {
    try {
      return handler(message);
    } catch (err) {
      drop("handler_error", { topic, err });
      log.error(`handling a ${topic} message failed`, { err });
    }
  };

  const viewOf = (test: LiveTest): TestView => {
    const now = clock.now();
    return test.view(registry, now, test.evaluate(registry, now, options).outcomes);
  };

  const interrupt = (record: TestRecord) => {
    const now = clock.now();
    const test = LiveTest.restore(record, store.reports(record.test_id), now);
    const previous = record.state;
    record.state = "interrupted";
    record.ended_at = now;
    record.error = `the orchestrator stopped while the test was ${previous}`;
    store.saveTest(record, test.view(registry, now, test.evaluate(registry, now, options).outcomes));
    log.warn("test interrupted by a restart", { test_id: record.test_id, was: previous });
  };

  const runningTest = (): LiveTest | undefined => [...live.values()].find((t) => t.record.state === "running");

  /** Refuses to run a test while another runs or holds the run slot (see `reservedBy`). */
  const refuseIfBusy = (testId: string, hint: string) => {
    const running = runningTest();
    if (running) throw new OrchestratorError("conflict", `test ${running.test_id} is still running; ${hint}`);
    if (reservedBy !== null && reservedBy !== testId) throw new OrchestratorError("conflict", `test ${reservedBy} is being started; ${hint}`);
  };

  /**
   * Triggers a created test. Its configuration is published again right before the trigger:
   * a driver keeps only its newest ACCEPTED_PLANS_KEPT configurations, so after that many newer
   * tests it has forgotten an old one; it accepts a configuration it holds again without harm
   * (`republish` is false only right after createTest published it).
   */
  const triggerCreated = async (testId: string, republish: boolean): Promise<TestView> => {
    const test = live.get(testId);
    if (!test) {
      const stored = store.getTest(testId);
      if (!stored) throw new OrchestratorError("not_found", `no test ${testId}`);
      throw new OrchestratorError("conflict", `test ${testId} is ${stored.record.state}; only a created test can be triggered`);
    }
    if (test.record.state !== "created") {
      throw new OrchestratorError("conflict", `test ${testId} is ${test.record.state}; only a created test can be triggered`);
    }
    refuseIfBusy(testId, "trigger this one when it ends");
    const now = clock.now();
    const start_at = now + options.triggerLeadMs;
    // Running before the publish resolves, so a second trigger meanwhile is refused.
    Object.assign(test.record, { state: "running", triggered_at: now, start_at });
    test.resetActivity(start_at);
    try {
      if (republish) await bus.publish("test_config", test.record.config, testId);
      await bus.publish("trigger", { test_id: testId, trigger: "YES", start_at }, testId);
    } catch (err) {
      Object.assign(test.record, { state: "created", triggered_at: null, start_at: null });
      log.error("publishing a trigger failed", { test_id: testId, err });
      throw new OrchestratorError("unavailable", `could not publish the trigger: ${(err as Error).message}`);
    }
    store.saveTest(test.record, null);
    log.info("test triggered", { test_id: testId, start_at, drivers: test.record.drivers });
    return viewOf(test);
  };

  const createTest = async (request: TestRequest): Promise<TestView> => {
    const now = clock.now();
    const drivers = registry.liveIds();
    if (drivers.length === 0) {
      throw new OrchestratorError("conflict", "no alive drivers: start a driver (or wait for its heartbeat) and try again");
    }
    if (request.trigger) refuseIfBusy("", `create this one without "trigger" or wait`);
    const test_id = newTestId();
    // Taken synchronously with the check above: nothing awaits in between.
    if (request.trigger) reservedBy = test_id;
    try {
      return await createReserved(request, test_id, now, drivers);
    } finally {
      if (reservedBy === test_id) reservedBy = null;
    }
  };

  const createReserved = async (request: TestRequest, test_id: string, now: number, drivers: string[]): Promise<TestView> => {
    const { trigger, test_message_delay, ...fields } = request;
    const config: TestConfig = { test_id, ...fields, test_message_delay: test_message_delay ?? 0, drivers, created_at: now };
    const record: TestRecord = { test_id, state: "created", config, drivers, created_at: now, triggered_at: null, start_at: null, ended_at: null, error: null };
    const test = new LiveTest(record, now);
    live.set(test_id, test);
    store.saveTest(record, null);
    try {
      await bus.publish("test_config", config, test_id);
    } catch (err) {
      Object.assign(record, { state: "failed", ended_at: clock.now(), error: `could not publish the configuration: ${(err as Error).message}` });
      live.delete(test_id);
      store.saveTest(record, viewOf(test));
      throw new OrchestratorError("unavailable", record.error!);
    }
    log.info("test created", { test_id, test_type: config.test_type, drivers });
    return trigger ? triggerCreated(test_id, false) : viewOf(test);
  };

  const triggerTest = (testId: string): Promise<TestView> => triggerCreated(testId, true);

  const tick = () => {
    const now = clock.now();
    const judgedAt = livenessNow(now);
    if (outageSince === null && now >= graceUntil) announce(registry.sweep(judgedAt));
    const health = busHealth();
    const healthJson = JSON.stringify(health);
    if (healthJson !== announcedHealth) {
      announcedHealth = healthJson;
      events.emit({ type: "bus", health });
    }
    for (const test of [...live.values()]) {
      const { record } = test;
      const busFailure = record.state === "running" ? degradedBusFailure(health.topics, record.start_at ?? record.triggered_at ?? now, now, options.busDegradedFailMs) : null;
      if (busFailure !== null) {
        failTest(test, busFailure);
        continue;
      }
      const evaluation = evaluate(test);
      if (!evaluation.ended && test.record.state === "running") {
        events.emit({ type: "test", test_id: test.test_id, snapshot: test.view(registry, clock.now(), evaluation.outcomes) });
      }
    }
  };

  return {
    options,
    events,
    async start() {
      registry.load(store.nodes());
      for (const record of store.activeTests()) interrupt(record);
      const mode = { kind: "collect", group: options.group } as const;
      await Promise.all([
        bus.subscribe("register", { mode }, guarded("register", onRegister)),
        bus.subscribe("heartbeat", { mode }, guarded("heartbeat", onHeartbeat)),
        bus.subscribe("metrics", { mode }, guarded("metrics", onReport)),
        bus.subscribe("driver_event", { mode }, guarded("driver_event", onDriverEvent)),
      ]);
      stopTick = clock.every(options.tickMs, tick);
    },
    stop() {
      stopTick?.();
      stopTick = undefined;
      for (const node of registry.list()) store.saveNode(node);
    },
    createTest,
    triggerTest,
    getTest(testId) {
      const test = live.get(testId);
      if (test) return viewOf(test);
      const stored = store.getTest(testId);
      if (!stored) return null;
      return stored.result ?? viewOf(new LiveTest(stored.record, clock.now()));
    },
    listTests(limit, offset) {
      const page = store.listTests(limit, offset);
      const tests = page.tests.map(({ record, result }) => {
        const test = live.get(record.test_id);
        return summarizeTest(test ? viewOf(test) : (result ?? viewOf(new LiveTest(record, clock.now()))));
      });
      return { tests, total: page.total };
    },
    listNodes: () => registry.list(),
    snapshots: () => [...live.values()].filter((t) => t.record.state === "running").map(viewOf),
    tick,
    counters: () => drops.read(bus.rejected()),
    reports: (testId) => store.reports(testId),
    busHealth,
  };
}
