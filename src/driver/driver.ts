import { onTopic, subscribeTopics, type Bus } from "../bus/index.ts";
import { silentLogger, type Logger } from "../log.ts";
import type { ClockMessage, DriverEvent, Issue, TestConfig, Trigger } from "../protocol/index.ts";
import { systemClock, type Clock } from "./clock.ts";
import { AcceptedPlans } from "./accepted-plans.ts";
import { ACCEPTED_PLANS_KEPT, EVICTED_TESTS_REMEMBERED, FINISHED_TESTS_REMEMBERED, FORGOTTEN_CONFIG_GRACE_MS, HEARTBEAT_INTERVAL_MS, SHUTDOWN_FLUSH_MS, TRIGGER_HOLD_MS } from "./defaults.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { HeldTriggers } from "./held-triggers.ts";
import type { OpenHttpPool } from "./http1-pool.ts";
import { Outbox } from "./outbox.ts";
import { RecentIds } from "./recent-ids.ts";
import { cannotRun, planTest, type RunPlan } from "./run-plan.ts";
import type { FetchLike } from "./send-loop.ts";
import { StoppedTests } from "./stopped-tests.ts";
import { stopCommandHandler } from "./stop-command.ts";
import { TestRun } from "./test-run.ts";
import { newInstanceId, TwinDetector, type TwinVerdict } from "./twin-guard.ts";
import { TwinWatch } from "./twin-watch.ts";
import { twinResponse } from "./twin-response.ts";
import type { Driver, DriverStatus } from "./driver-api.ts";

export type { Driver, DriverStatus } from "./driver-api.ts";
import type { WorkerFault } from "./worker-loop.ts";
import { ClockSync } from "./clock-sync.ts";

export interface DriverOptions {
  bus: Bus;
  nodeId: string;
  /** The address the orchestrator sees this driver at (see node-address.ts). */
  nodeIp: string;
  clock?: Clock;
  fetch?: FetchLike;
  /**
   * Opens the HTTP/1.1 connection pool a test sends through instead of `fetch` when it can
   * (http and https; main.ts wires openHttp1Pool). Unset, every request goes through `fetch`.
   */
  openHttp?: OpenHttpPool;
  log?: Logger;
  version?: string;
  heartbeatIntervalMs?: number;
  reportIntervalMs?: number;
  triggerHoldMs?: number;
  /** Folder for raw latency dumps (LOADTEST_LATENCY_DUMP); unset, nothing is kept. */
  latencyDumpDir?: string;
  /** How long `stop()` waits for queued messages to reach the bus. */
  shutdownFlushMs?: number;
  /** Longest response body read before it is abandoned and counted `body_too_large` (default MAX_BODY_BYTES). */
  maxBodyBytes?: number;
  /** This process's instance id (default: random, new on every start); see twin-guard.ts. */
  instanceId?: string;
  /**
   * Called when this process is the younger of two live drivers with one node_id and must
   * exit (main.ts prints the message and exits). Unset, the driver logs it and stops itself.
   */
  onTwin?: (message: string, verdict: TwinVerdict) => void;
  /** How long the driver waits for an orchestrator that lists twins before reading heartbeats itself (default TWIN_WATCH_FALLBACK_MS). */
  twinFallbackMs?: number;
  /** Bun Workers each test runs on (`--workers`, default 1: the in-thread send loop); see worker-loop.ts. */
  workers?: number;
  /** Test hook: crash one send worker mid-test (see WorkerFault). */
  workerFault?: WorkerFault;
  /** Convert start times to this driver's clock with the measured offset (default true; `--no-clock-correction` turns it off). */
  clockCorrection?: boolean;
  /** Longest wait of a trigger for a first clock offset estimate (default CLOCK_ESTIMATE_WAIT_MS). */
  clockWaitMs?: number;
}

/**
 * A driver node: accepts or rejects test configurations (keeping every accepted one until
 * its trigger, even while another test runs), runs a test when its trigger comes (holding
 * early triggers; refusing one while another test runs), reports metrics every second, and
 * heartbeats throughout.
 */
export function createDriver(options: DriverOptions): Driver {
  const { bus, nodeId, nodeIp, clock = systemClock, fetch: fetchFn = fetch, version } = options;
  const log = (options.log ?? silentLogger).child({ node_id: nodeId });
  const instance = { nodeId, instanceId: options.instanceId ?? newInstanceId(), startedAt: clock.now() };
  const { instanceId } = instance;
  const outbox = new Outbox({ bus, clock, log, instanceId });
  const held = new HeldTriggers(options.triggerHoldMs);
  const finished: string[] = [];
  const accepted = new AcceptedPlans();
  /** Configurations forgotten to make room, and ones addressed to other drivers: their triggers are answered or ignored, never held blind. */
  const evicted = new RecentIds(EVICTED_TESTS_REMEMBERED);
  const notMine = new RecentIds(EVICTED_TESTS_REMEMBERED);
  const heldTimers = new Set<unknown>();
  const stoppedTests = new StoppedTests();
  let current: TestRun | null = null;
  let stopHeartbeat: (() => void) | null = null;
  let stopping = false;
  /** Set when this process found an older one with its node_id: it takes no more tests and exits. */
  let standingDown = false;
  const clockSync = new ClockSync({ nodeId, clock, correction: options.clockCorrection ?? true });

  const event = (testId: string, kind: DriverEvent["event"], extra: Partial<DriverEvent> = {}) =>
    outbox.push({ topic: "driver_event", message: { node_id: nodeId, test_id: testId, event: kind, timestamp: clock.now(), ...extra }, key: nodeId });

  const reject = (testId: string, issues: Issue[]) => {
    const error = cannotRun(testId, issues);
    log.warn("test rejected", { test_id: testId, issues });
    event(testId, "TEST_REJECTED", { error, issues });
  };

  const begin = (plan: RunPlan, trigger: Trigger) => {
    const run = new TestRun(plan, {
      clock,
      fetch: fetchFn,
      ...(options.openHttp ? { openHttp: options.openHttp } : {}),
      outbox,
      log,
      nodeId,
      instanceId,
      reportIntervalMs: options.reportIntervalMs,
      latencyDumpDir: options.latencyDumpDir,
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.workerFault !== undefined ? { workerFault: options.workerFault } : {}),
      clockSync,
      ...(options.clockWaitMs !== undefined ? { clockWaitMs: options.clockWaitMs } : {}),
    });
    current = run;
    run.start(trigger);
    void run.finished.then(() => {
      finished.push(run.testId);
      if (finished.length > FINISHED_TESTS_REMEMBERED) finished.shift();
      if (current === run) current = null;
    });
  };

  const onConfig = (config: TestConfig) => {
    if (stopping || standingDown) return;
    if (config.drivers !== undefined && !config.drivers.includes(nodeId)) {
      log.debug("configuration is for other drivers", { test_id: config.test_id });
      notMine.add(config.test_id);
      return;
    }
    if (current?.testId === config.test_id) return event(config.test_id, "TEST_ACCEPTED");
    if (finished.includes(config.test_id)) return log.info("ignoring configuration of a finished test", { test_id: config.test_id });
    const stopReason = stoppedTests.reasonOf(config.test_id);
    if (stopReason !== undefined) return reject(config.test_id, [{ path: "test_id", message: `the test was stopped: ${stopReason}` }]);
    const planned = planTest(config);
    if (!planned.ok) return reject(config.test_id, planned.issues);
    // Accepted even while another test runs: the orchestrator triggers it once that one ends.
    const forgotten = accepted.add(planned.plan);
    evicted.delete(config.test_id);
    if (forgotten !== undefined) {
      evicted.add(forgotten);
      log.warn("forgot the oldest configuration that was never triggered", { test_id: forgotten });
    }
    event(config.test_id, "TEST_ACCEPTED");
    log.info("test accepted", { test_id: config.test_id, mode: planned.plan.mode, count: planned.plan.count });
    const early = held.take(config.test_id, clock.now());
    if (early !== undefined) runAccepted(early);
  };

  /**
   * Starts an accepted test on its trigger, or refuses it while another test runs. One whose
   * trigger comes while the running test is being stopped (an orchestrator that restarted and
   * stopped it starts the next test within its grace) starts once that test has ended.
   */
  const runAccepted = (trigger: Trigger) => {
    const plan = accepted.take(trigger.test_id);
    if (plan === undefined) return;
    const run = current;
    if (run === null) return begin(plan, trigger);
    if (!run.halting) return reject(trigger.test_id, [{ path: "test_id", message: `driver is busy with test ${run.testId}` }]);
    log.info("test waits for the one being stopped", { test_id: trigger.test_id, stopping: run.testId });
    void run.finished.then(() => {
      if (stopping) return;
      const stopReason = stoppedTests.reasonOf(trigger.test_id);
      if (stopReason !== undefined) return reject(trigger.test_id, [{ path: "test_id", message: `the test was stopped: ${stopReason}` }]);
      if (current !== null) return reject(trigger.test_id, [{ path: "test_id", message: `driver is busy with test ${current.testId}` }]);
      begin(plan, trigger);
    });
  };

  const onTrigger = (trigger: Trigger) => {
    if (stopping || standingDown) return;
    if (accepted.has(trigger.test_id)) return runAccepted(trigger);
    if (current?.testId === trigger.test_id || finished.includes(trigger.test_id)) return;
    if (notMine.has(trigger.test_id)) return;
    const stopReason = stoppedTests.reasonOf(trigger.test_id);
    if (stopReason !== undefined) return reject(trigger.test_id, [{ path: "test_id", message: `the test was stopped: ${stopReason}` }]);
    // The configuration may still be on its way (another topic): keep the trigger a while. One
    // this driver forgot is sent again right before the trigger, so it gets only a short grace.
    const now = clock.now();
    const deadline = evicted.has(trigger.test_id)
      ? held.hold(trigger, now, Math.max(now, trigger.start_at ?? now) + FORGOTTEN_CONFIG_GRACE_MS)
      : held.hold(trigger, now);
    const timer = clock.setTimeout(() => {
      heldTimers.delete(timer);
      answerExpired();
    }, deadline - now + 1);
    heldTimers.add(timer);
  };

  /** A held trigger whose configuration never came is answered with the reason, not dropped in silence. */
  const answerExpired = () => {
    for (const trigger of held.expire(clock.now())) {
      if (stopping) return;
      const id = trigger.test_id;
      const message = evicted.has(id)
        ? `this driver forgot the configuration after ${ACCEPTED_PLANS_KEPT} newer tests were configured, and it was not sent again with the trigger; create the test again`
        : `no configuration for this test reached this driver within ${Math.round((options.triggerHoldMs ?? TRIGGER_HOLD_MS) / 1000)} s of its trigger`;
      reject(id, [{ path: "test_id", message }]);
    }
  };

  const onStop = stopCommandHandler({ log, clock, accepted, held, stoppedTests, stopping: () => stopping, current: () => current, isFinished: (id) => finished.includes(id) });

  const status = (): DriverStatus => {
    const testId = current?.testId ?? accepted.newest();
    return { state: current !== null ? "running" : "idle", ...(testId !== undefined ? { testId } : {}), queued: outbox.size };
  };

  const onTwin = twinResponse({
    instance,
    log,
    clock,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS,
    standDown: () => {
      if (standingDown) return false;
      standingDown = true;
      return true;
    },
    ...(options.onTwin ? { onTwin: options.onTwin } : {}),
    stop: () => void driver.stop(),
  });

  /** Twins from the orchestrator's clock messages, or from the fleet's heartbeats without one (twin-watch.ts). */
  const twinWatch = new TwinWatch({ bus, clock, log, detector: new TwinDetector(instance), onTwin, ...(options.twinFallbackMs !== undefined ? { fallbackMs: options.twinFallbackMs } : {}) });

  // t4 is stamped first thing; the estimate is used by the next start and the next heartbeat.
  const onClock = (message: ClockMessage) => {
    void clockSync.onMessage(message, clock.now());
    twinWatch.onClock(message);
  };

  const driver: Driver = {
    async start() {
      // One consumer for the four broadcast topics (a KafkaBus with subscribeAll): an idle driver's
      // fetch loop, group and group heartbeats once, not four times.
      const topics = [onTopic("test_config", onConfig), onTopic("trigger", onTrigger), onTopic("stop", onStop), onTopic("clock", onClock)];
      await subscribeTopics(bus, topics, { mode: { kind: "broadcast" } });
      twinWatch.start();
      outbox.push({
        topic: "register",
        message: { node_id: nodeId, node_IP: nodeIp, message_type: "DRIVER_NODE_REGISTER", timestamp: clock.now(), ...(version ? { version } : {}) },
        key: nodeId,
      });
      stopHeartbeat = startHeartbeat({
        bus,
        clock,
        log,
        key: nodeId,
        intervalMs: options.heartbeatIntervalMs,
        beat: () => {
          const s = status();
          // `timestamp` is t1 of the clock exchange: stamped as the beat is handed to the producer.
          return {
            node_id: nodeId,
            heartbeat: "YES",
            timestamp: clock.now(),
            state: s.state,
            node_IP: nodeIp,
            ...(s.testId !== undefined ? { test_id: s.testId } : {}),
            instance_id: instanceId,
            started_at: instance.startedAt,
            ...clockSync.heartbeatFields(),
          };
        },
      });
      log.info("driver started", { node_IP: nodeIp, instance_id: instanceId });
    },

    async stop() {
      if (stopping) return;
      stopping = true;
      twinWatch.stop();
      accepted.clear();
      held.clear();
      for (const timer of heldTimers) clock.clearTimeout(timer);
      heldTimers.clear();
      await current?.stop();
      // No heartbeat may trail the deregistration.
      stopHeartbeat?.();
      outbox.push({ topic: "register", message: { node_id: nodeId, node_IP: nodeIp, message_type: "DRIVER_NODE_DEREGISTER", timestamp: clock.now() }, key: nodeId });
      const flushed = await outbox.flush(options.shutdownFlushMs ?? SHUTDOWN_FLUSH_MS);
      if (!flushed) log.error("bus unreachable: messages left unsent at shutdown", { queued: outbox.size });
      outbox.close();
      log.info("driver stopped");
    },

    status,
  };
  return driver;
}
