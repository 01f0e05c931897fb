import type { Bus, Handler } from "../bus/index.ts";
import type { Logger } from "../log.ts";
import { DEFAULT_STOP_GRACE_MS, reportKey, type DriverEvent, type Heartbeat, type MetricsReport, type Register, type TestConfig, type TopicKey } from "../protocol/index.ts";
import { abortConfigOf } from "./abort/abort-config.ts";
import { AbortWatch } from "./abort/abort-watch.ts";
import type { Clock } from "./clock.ts";
import { createDropCounters, type DropCounts, type DropReason } from "./counters.ts";
import { OrchestratorError } from "./errors.ts";
import { createEventHub, type EventHub, type OrchestratorEvent } from "./event-hub.ts";
import { busHealthOf, degradedBusFailure, type BusHealth } from "./bus-health.ts";
import { LiveTest } from "./live-test.ts";
import { LogThrottle } from "./log-throttle.ts";
import { resolveOptions, type OrchestratorOptions } from "./options.ts";
import { NodeRegistry, type NodeEvent, type NodePage, type NodeStatus, type NodeView } from "./registry.ts";
import type { TestView } from "./snapshot.ts";
import type { OrchestratorStore } from "./store.ts";
import type { TestRequest } from "./test-request.ts";
import { summarizeTest, type TestSummary } from "./test-summary.ts";
import type { Evaluation, TestRecord } from "./test-state.ts";
import { createStopping, type StopTestOptions } from "./stopping.ts";
import { CLOCK_POLL_MS, ClockExchangeBook } from "./clock-exchange.ts";
import { clockWarnings } from "./node-clock.ts";

export type { StopTestOptions } from "./stopping.ts";

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
  /** A test's accepted reports in the order received (per-second series after a restart). */
  reports(testId: string): { report: MetricsReport; received_at: number }[];
  /** The bus's health now: degraded topics and whether it receives (for /healthz, /metrics, the dashboard). */
  busHealth(): BusHealth;
}

/** Node figures for /metrics. */
export interface NodeCounters {
  by_status: Record<NodeStatus, number>;
  conflict: number;
  /** Live drivers that refuse unsigned commands (they said so in their register or heartbeats). */
  verifying: number;
  /** Heartbeats from node_ids no registration was received for. */
  unregistered_heartbeats: number;
  /** Of those, the ones refused: an unknown id while maxUnregisteredNodes such nodes are known. */
  unregistered_refused: number;
  /** Nodes forgotten after their retention (or beyond the cap) or deleted. */
  forgotten: number;
}

/** Builds an orchestrator over injected bus, store, clock and logger. */
export function createOrchestrator({ bus, store, clock, log, options: partial, newTestId = () => crypto.randomUUID() }: OrchestratorDeps): Orchestrator {
  const options = resolveOptions(partial);
  const registry = new NodeRegistry(options);
  const live = new Map<string, LiveTest>();
  const drops = createDropCounters();
  const events = createEventHub<OrchestratorEvent>((err) => log.error("event listener failed", { err }));
  let stopTick: (() => void) | undefined;
  /** The clock offset exchange: heartbeats' (t1, t2) answered with clock messages (see clock-exchange.ts). */
  const clockBook = new ClockExchangeBook(options.clockIntervalMs);
  let stopClock: (() => void) | undefined;
  let clockInFlight = false;
  /** abort_on: the rolling window of each running test that has thresholds. */
  const aborts = new Map<string, AbortWatch>();
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
  /** At most a few log lines a second per kind of node event; the rest are summed up. */
  const nodeLogs = new LogThrottle();
  let unregisteredHeartbeats = 0;
  let unregisteredRefused = 0;
  let forgottenNodes = 0;

  const drop = (reason: DropReason, fields: Record<string, unknown>) => {
    drops.add(reason);
    log.debug(`dropped message: ${reason}`, fields);
  };

  const announce = (nodeEvents: NodeEvent[]) => {
    if (nodeEvents.length === 0) return;
    const now = clock.now();
    const gone: string[] = [];
    const changed: NodeView[] = [];
    for (const { event, node } of nodeEvents) {
      if (event === "forgotten" || event === "deleted") gone.push(node.node_id);
      else changed.push(node);
      if (event === "conflict") onConflict(node);
      else if (nodeLogs.allow(`node ${event}`, now)) log.info(`node ${event}`, { node_id: node.node_id, node_IP: node.node_IP, status: node.status });
      events.emit({ type: "node", event, node });
    }
    // One transaction for a whole sweep (a flood of ids dies at once).
    if (changed.length === 1) store.saveNode(changed[0]!);
    else store.saveNodes(changed);
    if (gone.length > 0) {
      forgottenNodes += gone.length;
      store.deleteNodes(gone);
    }
  };

  /** Two processes with one node_id: said loudly, and on every test it takes part in. */
  const onConflict = (node: NodeView) => {
    const instances = node.conflict?.instances.join(", ") ?? "";
    log.warn("two driver processes use one node_id: it takes part in no new test until one stops", { node_id: node.node_id, instances });
    for (const test of live.values()) {
      if (test.participants.has(node.node_id)) test.warn(`node ${node.node_id} had two live driver processes during this test (instances ${instances})`);
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
    if (evaluation.state === "stopped" && record.stop) record.stop.unconfirmed = evaluation.unconfirmed ?? [];
    const result = test.view(registry, now, evaluation.outcomes);
    store.saveTest(record, result);
    live.delete(record.test_id);
    aborts.delete(record.test_id);
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

  /** The last bus health announced on the hub, as JSON, so only changes are emitted. */
  let announcedHealth = "";

  const busHealth = (): BusHealth => busHealthOf(bus.degradedTopics?.() ?? [], outageSince, options.busDegradedFailMs);

  /** Ends a running test `failed` once a bus topic has been degraded too long while it ran; true when it did. */
  const failIfBusDegraded = (test: LiveTest, now: number): boolean => {
    const { record } = test;
    if (record.state !== "running") return false;
    const error = degradedBusFailure(bus.degradedTopics?.() ?? [], record.start_at ?? record.triggered_at ?? now, now, options.busDegradedFailMs);
    if (error !== null) failTest(test, error);
    return error !== null;
  };

  /** Emits a `bus` event when the bus's health changed since the last one. */
  const announceBusHealth = () => {
    const health = busHealth();
    const json = JSON.stringify(health);
    if (json === announcedHealth) return;
    announcedHealth = json;
    events.emit({ type: "bus", health });
  };

  /** The live test a message is about, or the reason to drop the message. */
  const liveTestFor = (testId: string, nodeId: string): LiveTest | DropReason => {
    const test = live.get(testId);
    if (!test) return store.getTest(testId) ? "after_end" : "unknown_test";
    return test.participants.has(nodeId) ? test : "not_participant";
  };

  const onRegister = (message: Register) => announce(registry.register(message, clock.now()));

  const onHeartbeat = (message: Heartbeat) => {
    const now = clock.now();
    if (registry.isUnregistered(message.node_id)) {
      unregisteredHeartbeats++;
      if (nodeLogs.allow("heartbeats from unregistered nodes", now)) {
        log.info("heartbeat from a node that never registered", { node_id: message.node_id, total: unregisteredHeartbeats });
      }
      if (!registry.admits(message.node_id)) return void unregisteredRefused++;
    }
    clockBook.note(message.node_id, message.timestamp, now);
    announce(registry.heartbeat(message, now));
    if (message.state === "running" && message.test_id) {
      live.get(message.test_id)?.touch(message.node_id, now);
      stopping.onRunningHeartbeat(message.test_id, message.node_id, now);
    }
  };

  /**
   * abort_on: folds an accepted report into the test's window and, when one of its thresholds
   * holds (after the delay, over the window), stops the test `by: "threshold"`, once.
   */
  const watchAbort = (test: LiveTest, report?: MetricsReport) => {
    const { record } = test;
    if (!record.abort || record.state !== "running" || record.stop || record.start_at === null) return;
    let watch = aborts.get(record.test_id);
    if (!watch) aborts.set(record.test_id, (watch = new AbortWatch(record.abort)));
    if (report) watch.add(report, record.start_at);
    const firing = watch.check(clock.now(), record.start_at);
    if (!firing) return;
    const { expression, observed, window_s } = firing;
    log.warn("abort_on threshold held: stopping the test", { test_id: record.test_id, threshold: expression, observed, window_s });
    const reason = `abort_on ${expression} held: ${firing.shown} over the last ${window_s} s`;
    stopping.stopTest(record.test_id, { by: "threshold", threshold: { expression, observed, window_s }, reason }).catch((err: unknown) =>
      log.error("stopping a test on its abort_on threshold failed", { test_id: record.test_id, err }),
    );
  };

  /** Sends the clock message when one is due; t3 is stamped right before the publish. */
  const publishClock = () => {
    if (clockInFlight) return;
    const message = clockBook.take(clock.now());
    if (message === null) return;
    clockInFlight = true;
    bus
      .publish("clock", message)
      .catch((err: Error) => log.debug("clock message not published", { error: err.message }))
      .finally(() => (clockInFlight = false));
  };

  const onReport = (report: MetricsReport) => {
    const now = clock.now();
    announce(registry.sawActivity(report.node_id, now));
    const test = liveTestFor(report.test_id, report.node_id);
    const fields = { test_id: report.test_id, node_id: report.node_id, report_id: report.report_id };
    if (typeof test === "string") return drop(test, fields);
    if (test.aggregate.seen.has(reportKey(report)) || !store.saveReport(report, now)) return drop("duplicate_report", fields);
    test.applyReport(report, now);
    watchAbort(test, report);
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

  /**
   * A test found active at start-up: marked `interrupted` with a stop `by: "restart"` (the
   * caller publishes it, so drivers still running it stop); one that was already being stopped
   * ends `stopped`, its drivers without a final report `unconfirmed`.
   */
  const interrupt = (record: TestRecord) => {
    const now = clock.now();
    const test = LiveTest.restore(record, store.reports(record.test_id), now);
    const previous = record.state;
    record.ended_at = now;
    if (record.stop) {
      record.state = "stopped";
      record.stop.unconfirmed = record.drivers.filter((id) => !test.aggregate.drivers.get(id)?.final);
      record.error = `stopped: ${record.stop.reason}; the orchestrator restarted before every driver had confirmed`;
    } else {
      record.state = "interrupted";
      record.error = `the orchestrator stopped while the test was ${previous}`;
      record.stop = { requested_at: now, reason: `the orchestrator restarted while the test was ${previous}`, grace_ms: DEFAULT_STOP_GRACE_MS, by: "restart" };
    }
    store.saveTest(record, test.view(registry, now, test.evaluate(registry, now, options).outcomes));
    log.warn("test interrupted by a restart", { test_id: record.test_id, was: previous });
  };

  const stopping = createStopping({ bus, store, clock, log, events, live, viewOf, repeatMs: options.stopRepeatMs });

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
    // Added to any the test already has (one list: twins, clocks).
    for (const warning of clockWarnings(test.record.drivers.flatMap((id) => registry.get(id) ?? []))) test.warn(warning);
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
      const twins = registry.conflictedIds();
      if (twins.length > 0) {
        throw new OrchestratorError("conflict", `no alive drivers: ${twins.join(", ")} ${twins.length === 1 ? "is" : "are"} run by two processes at once; stop one of them`);
      }
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
    // abort_on and its window/delay stay on the orchestrator: they are not part of test_config.
    const { trigger, test_message_delay, abort_on, abort_window_s, abort_delay_s, ...fields } = request;
    const config: TestConfig = { test_id, ...fields, test_message_delay: test_message_delay ?? 0, drivers, created_at: now };
    const record: TestRecord = { test_id, state: "created", config, drivers, created_at: now, triggered_at: null, start_at: null, ended_at: null, error: null };
    const abort = abortConfigOf({ abort_on, abort_window_s, abort_delay_s });
    if (abort) record.abort = abort;
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
    stopping.prune(now);
    announce(registry.forget(now));
    for (const { key, count } of nodeLogs.drain(now)) log.info(`${key}: ${count} more in the last second, not logged one by one`, { count });
    for (const test of [...live.values()]) {
      if (failIfBusDegraded(test, now)) continue;
      const evaluation = evaluate(test);
      if (!evaluation.ended && test.record.state === "running") {
        watchAbort(test);
        events.emit({ type: "test", test_id: test.test_id, snapshot: test.view(registry, clock.now(), evaluation.outcomes) });
      }
    }
    announceBusHealth();
  };

  return {
    options,
    events,
    async start() {
      registry.load(store.nodes());
      const interrupted = store.activeTests();
      for (const record of interrupted) interrupt(record);
      const mode = { kind: "collect", group: options.group } as const;
      await Promise.all([
        bus.subscribe("register", { mode }, guarded("register", onRegister)),
        bus.subscribe("heartbeat", { mode }, guarded("heartbeat", onHeartbeat)),
        bus.subscribe("metrics", { mode }, guarded("metrics", onReport)),
        bus.subscribe("driver_event", { mode }, guarded("driver_event", onDriverEvent)),
      ]);
      stopTick = clock.every(options.tickMs, tick);
      stopClock = clock.every(Math.min(CLOCK_POLL_MS, options.clockIntervalMs), publishClock);
      // Drivers may still run what this orchestrator interrupted: tell them to stop (heartbeats that
      // still name the test repeat it, so a lost publish here is caught).
      for (const record of interrupted) if (record.stop) stopping.publish(record.test_id, record.stop.reason, record.stop.grace_ms, clock.now());
    },
    stop() {
      stopTick?.();
      stopTick = undefined;
      stopClock?.();
      stopClock = undefined;
      for (const node of registry.list()) store.saveNode(node);
    },
    createTest,
    triggerTest,
    stopTest: (testId, stopOptions) => stopping.stopTest(testId, stopOptions),
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
    pageNodes: (limit, offset) => registry.page(limit, offset),
    deleteNode(nodeId) {
      if (!registry.get(nodeId)) throw new OrchestratorError("not_found", `no node ${nodeId}`);
      const busy = [...live.values()].find((t) => t.record.state === "running" && t.participants.has(nodeId));
      if (busy) throw new OrchestratorError("conflict", `node ${nodeId} takes part in running test ${busy.test_id}; delete it once the test ends`);
      announce(registry.delete(nodeId));
    },
    nodeCounters() {
      const { conflict, verifying, ...by_status } = registry.statusCounts();
      return { by_status, conflict, verifying, unregistered_heartbeats: unregisteredHeartbeats, unregistered_refused: unregisteredRefused, forgotten: forgottenNodes };
    },
    snapshots: () => [...live.values()].filter((t) => t.record.state === "running").map(viewOf),
    tick,
    counters: () => drops.read(bus.rejected()),
    reports: (testId) => store.reports(testId),
    busHealth,
  };
}
