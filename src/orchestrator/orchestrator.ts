import type { Handler } from "../bus/index.ts";
import { reportKey, type DriverEvent, type MetricsReport, type TopicKey } from "../protocol/index.ts";
import { AbortWatch } from "./abort/abort-watch.ts";
import { createDropCounters, type DropReason } from "./counters.ts";
import { OrchestratorError } from "./errors.ts";
import { createEventHub, type OrchestratorEvent } from "./event-hub.ts";
import { busHealthOf, type BusHealth } from "./bus-health.ts";
import { LiveTest } from "./live-test.ts";
import { Liveness } from "./liveness.ts";
import { createNodeIntake } from "./node-intake.ts";
import { resolveOptions } from "./options.ts";
import { NodeRegistry } from "./registry.ts";
import { testDistributionOf } from "./distribution.ts";
import { ENDED_SERIES_KEPT, LIVE_TAIL_POINTS } from "./series.ts";
import type { TestView } from "./snapshot.ts";
import { createTestEnding } from "./test-ending.ts";
import { createTestLaunch } from "./test-launch.ts";
import { summarizeTest } from "./test-summary.ts";
import { createStopping } from "./stopping.ts";
import { CLOCK_POLL_MS, ClockExchangeBook } from "./clock-exchange.ts";
import { createCompaction, restoreLiveTest } from "./compact-store.ts";

export type { StopTestOptions } from "./stopping.ts";
export type { NodeCounters } from "./node-intake.ts";
export type { Orchestrator, OrchestratorDeps } from "./orchestrator-api.ts";
import type { Orchestrator, OrchestratorDeps } from "./orchestrator-api.ts";

/** Builds an orchestrator over injected bus, store, clock and logger. */
export function createOrchestrator({ bus, store, clock, log, options: partial, newTestId = () => crypto.randomUUID() }: OrchestratorDeps): Orchestrator {
  const options = resolveOptions(partial);
  const registry = new NodeRegistry(options);
  const live = new Map<string, LiveTest>();
  /** Tests that ended lately, newest last, kept for their series (at most ENDED_SERIES_KEPT). */
  const ended = new Map<string, LiveTest>();
  const drops = createDropCounters();
  const events = createEventHub<OrchestratorEvent>((err) => log.error("event listener failed", { err }));
  let stopTick: (() => void) | undefined;
  /** The clock offset exchange: heartbeats' (t1, t2) answered with clock messages (see clock-exchange.ts). */
  const clockBook = new ClockExchangeBook(options.clockIntervalMs);
  let stopClock: (() => void) | undefined;
  let clockInFlight = false;
  /** The `twins` of the last clock message sent, serialized. */
  let lastTwinsKey = "[]";
  /** abort_on: the watch of each running test that has thresholds. */
  const aborts = new Map<string, AbortWatch>();
  const liveness = new Liveness(options);
  /** The compact store: snapshots of running tests, a final one when they end (compact-store.ts). */
  const compaction = createCompaction(store, options);

  const drop = (reason: DropReason, fields: Record<string, unknown>) => {
    drops.add(reason);
    log.debug(`dropped message: ${reason}`, fields);
  };

  /**
   * The time liveness is judged at for `now` (see liveness.ts), asked by the tick, every view,
   * snapshot and getTest alike. When the bus receives again, each running test's stall timer
   * starts over.
   */
  const judgeAt = (now: number): number => {
    const { at, change } = liveness.judge(now, bus.receivedThrough?.() ?? now);
    if (change?.kind === "outage") {
      log.warn("bus stopped receiving: driver liveness is on hold until it is back", { last_received_at: change.last_received_at });
    } else if (change?.kind === "recovered") {
      for (const test of live.values()) if (test.record.state === "running") test.resetActivity(now);
      log.info("bus receiving again", { outage_ms: change.outage_ms, grace_ms: change.grace_ms });
    }
    return at;
  };

  const viewOf = (test: LiveTest): TestView => {
    const now = clock.now();
    return test.view(registry, now, test.evaluate(registry, judgeAt(now), options).outcomes);
  };

  /** Keeps an ended test for its series, dropping the oldest beyond ENDED_SERIES_KEPT. */
  const remember = (test: LiveTest) => {
    compaction.ended(test, clock.now());
    aborts.delete(test.test_id);
    ended.delete(test.test_id);
    ended.set(test.test_id, test);
    for (const id of ended.keys()) if (ended.size > ENDED_SERIES_KEPT) ended.delete(id);
  };

  const stopping = createStopping({ bus, store, clock, log, events, live, viewOf, repeatMs: options.stopRepeatMs });
  const nodes = createNodeIntake({ registry, store, clock, log, events, live, onRunning: (testId, nodeId, now) => stopping.onRunningHeartbeat(testId, nodeId, now),
    onTimedHeartbeat: (nodeId, t1, now) => clockBook.note(nodeId, t1, now),
  });
  const ending = createTestEnding({ bus, store, clock, log, events, options, registry, live, judgeAt, onEnded: remember });
  const launch = createTestLaunch({ bus, store, clock, log, options, registry, live, newTestId, viewOf });

  /** The live test a message is about, or the reason to drop the message. */
  const liveTestFor = (testId: string, nodeId: string): LiveTest | DropReason => {
    const test = live.get(testId);
    if (!test) return store.getTest(testId) ? "after_end" : "unknown_test";
    return test.participants.has(nodeId) ? test : "not_participant";
  };

  /**
   * abort_on: notes an accepted report and, when one of the test's thresholds holds (after the
   * delay, over the window of its series), stops the test `by: "threshold"`, once.
   */
  const watchAbort = (test: LiveTest, report?: MetricsReport) => {
    const { record } = test;
    if (!record.abort || record.state !== "running" || record.stop || record.start_at === null) return;
    let watch = aborts.get(record.test_id);
    if (!watch) aborts.set(record.test_id, (watch = new AbortWatch(record.abort, test)));
    if (report) watch.note(report);
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
    // The conflicts ride along (empty: none, and this orchestrator watches); a new one goes out at once.
    const twins = registry.twins();
    const twinsKey = JSON.stringify(twins);
    const message = clockBook.take(clock.now(), twinsKey !== lastTwinsKey);
    if (message === null) return;
    lastTwinsKey = twinsKey;
    clockInFlight = true;
    bus
      .publish("clock", { ...message, twins })
      .catch((err: Error) => log.debug("clock message not published", { error: err.message }))
      .finally(() => (clockInFlight = false));
  };

  const onReport = (report: MetricsReport) => {
    const now = clock.now();
    nodes.announce(registry.sawActivity(report.node_id, now));
    const test = liveTestFor(report.test_id, report.node_id);
    const fields = { test_id: report.test_id, node_id: report.node_id, report_id: report.report_id };
    if (typeof test === "string") return drop(test, fields);
    if (test.aggregate.seen.has(reportKey(report)) || !store.saveReport(report, now)) return drop("duplicate_report", fields);
    test.applyReport(report, now);
    compaction.afterReport(test, now);
    watchAbort(test, report);
    // From the aggregate (highest sequence), so a late, older report cannot move it back.
    const driver = test.aggregate.drivers.get(report.node_id);
    if (driver) registry.noteSent(report.node_id, report.test_id, driver.counts.sent);
    ending.evaluate(test);
  };

  const onDriverEvent = (event: DriverEvent) => {
    nodes.announce(registry.sawActivity(event.node_id, clock.now()));
    const test = liveTestFor(event.test_id, event.node_id);
    if (typeof test === "string") return drop(test, { test_id: event.test_id, node_id: event.node_id, event: event.event });
    if (event.event === "TEST_REJECTED") log.warn("driver rejected a test", { test_id: event.test_id, node_id: event.node_id, error: event.error });
    test.applyDriverEvent(event, clock.now());
    ending.evaluate(test);
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

  /** The last bus health announced on the hub, as JSON, so only changes are emitted. */
  let announcedHealth = "";
  const busHealth = (): BusHealth => busHealthOf(bus.degradedTopics?.() ?? [], liveness.outageSince, options.busDegradedFailMs);

  const tick = () => {
    const now = clock.now();
    const judgedAt = judgeAt(now);
    if (liveness.maySweep(now)) nodes.announce(registry.sweep(judgedAt));
    stopping.prune(now);
    nodes.announce(registry.forget(now));
    nodes.drainLogs(now);
    for (const test of [...live.values()]) {
      if (ending.failIfBusDegraded(test, now)) continue;
      const evaluation = ending.evaluate(test);
      if (!evaluation.ended && test.record.state === "running") {
        watchAbort(test);
        events.emit({ type: "test", test_id: test.test_id, snapshot: test.view(registry, clock.now(), evaluation.outcomes), points: test.tail(LIVE_TAIL_POINTS) });
      }
    }
    const health = busHealth();
    const json = JSON.stringify(health);
    if (json !== announcedHealth) {
      announcedHealth = json;
      events.emit({ type: "bus", health });
    }
  };

  /** A known test's model: live, recently ended, or rebuilt from the store (then kept as recently ended). */
  const modelOf = (testId: string): LiveTest | null => {
    const known = live.get(testId) ?? ended.get(testId);
    if (known) return known;
    const stored = store.getTest(testId);
    if (!stored) return null;
    const test = restoreLiveTest(store, stored.record, clock.now());
    if (stored.record.ended_at !== null) remember(test);
    return test;
  };

  return {
    options,
    events,
    async start() {
      registry.load(store.nodes());
      const interrupted = store.activeTests();
      for (const record of interrupted) ending.interrupt(record);
      const mode = { kind: "collect", group: options.group } as const;
      await Promise.all([
        bus.subscribe("register", { mode }, guarded("register", nodes.onRegister)),
        bus.subscribe("heartbeat", { mode }, guarded("heartbeat", nodes.onHeartbeat)),
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
    createTest: launch.createTest,
    triggerTest: launch.triggerTest,
    stopTest: (testId, stopOptions) => stopping.stopTest(testId, stopOptions),
    getTest(testId) {
      const test = live.get(testId);
      if (test) return viewOf(test);
      const stored = store.getTest(testId);
      if (!stored) return null;
      return stored.result ?? viewOf(new LiveTest(stored.record, clock.now()));
    },
    getTestConfig(testId) {
      return live.get(testId)?.record.config ?? store.getTest(testId)?.record.config ?? null;
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
      nodes.announce(registry.delete(nodeId));
    },
    nodeCounters: () => nodes.counters(),
    snapshots: () => [...live.values()].filter((t) => t.record.state === "running").map(viewOf),
    tick,
    counters: () => drops.read(bus.rejected()),
    series: (testId) => modelOf(testId)?.series() ?? null,
    requestSeries: (testId, name) => modelOf(testId)?.byRequest.get(name)?.series() ?? null,
    distribution: (testId) => {
      const test = modelOf(testId);
      return test ? testDistributionOf(test) : null;
    },
    busHealth,
  };
}
