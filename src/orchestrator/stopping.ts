import type { Bus } from "../bus/index.ts";
import type { Logger } from "../log.ts";
import { DEFAULT_STOP_GRACE_MS, MAX_STOP_GRACE_MS } from "../protocol/index.ts";
import type { Clock } from "./clock.ts";
import { OrchestratorError } from "./errors.ts";
import type { EventHub, OrchestratorEvent } from "./event-hub.ts";
import type { LiveTest } from "./live-test.ts";
import type { TestView } from "./snapshot.ts";
import { StopRepeater } from "./stop-repeater.ts";
import type { OrchestratorStore } from "./store.ts";
import type { StopThreshold } from "./test-state.ts";

/** What a stop may say: grace (default 2 s), reason, and who asked (a user, or an abort_on threshold that fired). */
export interface StopTestOptions {
  graceMs?: number;
  reason?: string;
  by?: "user" | "threshold";
  threshold?: StopThreshold;
}

export interface StoppingDeps {
  bus: Pick<Bus, "publish">;
  store: OrchestratorStore;
  clock: Clock;
  log: Logger;
  events: EventHub<OrchestratorEvent>;
  /** The tests the orchestrator follows, by id (shared with it: a cancelled test leaves it). */
  live: Map<string, LiveTest>;
  /** The view of a live test now. */
  viewOf: (test: LiveTest) => TestView;
  /** A stop for one test goes out again at most this often. */
  repeatMs: number;
}

/** The orchestrator's stops: asking for one, and repeating it to drivers that still run a test that is over. */
export interface Stopping {
  /** See {@link Orchestrator.stopTest}. */
  stopTest(testId: string, options?: StopTestOptions): Promise<TestView>;
  /**
   * A heartbeat says `nodeId` runs `testId`: when that test is no longer running here (ended,
   * interrupted, unknown after a restart) or was asked to stop, the stop is published (again),
   * at most once per `repeatMs` per test; a driver whose final report is in is not asked.
   */
  onRunningHeartbeat(testId: string, nodeId: string, now: number): void;
  /** Publishes a recorded stop in the background (start-up: the tests a restart interrupted). */
  publish(testId: string, reason: string, graceMs: number, now: number): void;
  /** Forgets old rate-limit entries (called from the tick). */
  prune(now: number): void;
}

/** Builds the stop logic over the orchestrator's live tests, store and bus. */
export function createStopping(deps: StoppingDeps): Stopping {
  const { store, clock, log, events, live, viewOf } = deps;
  const stops = new StopRepeater({ bus: deps.bus, log, repeatMs: deps.repeatMs });

  const stopTest = async (testId: string, options: StopTestOptions = {}): Promise<TestView> => {
    const test = live.get(testId);
    if (!test) {
      const stored = store.getTest(testId);
      if (!stored) throw new OrchestratorError("not_found", `no test ${testId}`);
      throw new OrchestratorError("conflict", `test ${testId} has already ended (${stored.record.state})`);
    }
    const { graceMs = DEFAULT_STOP_GRACE_MS, by = "user", threshold } = options;
    if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs > MAX_STOP_GRACE_MS) {
      throw new OrchestratorError("invalid", `stop_grace_ms must be an integer from 0 to ${MAX_STOP_GRACE_MS}`, [
        { path: "stop_grace_ms", message: `must be an integer from 0 to ${MAX_STOP_GRACE_MS}, got ${graceMs}` },
      ]);
    }
    const { record } = test;
    const now = clock.now();
    // Already stopping: the stop goes out again (a driver may have missed it), the first one stands.
    // A created test may carry a stop too (asked while its trigger failed to publish): it is cancelled below.
    if (record.stop && record.state === "running") {
      stops.publish(testId, record.stop.reason, record.stop.grace_ms, now);
      return viewOf(test);
    }
    const reason = options.reason?.trim() || (by === "threshold" && threshold ? `threshold ${threshold.expression} fired` : "stopped by the user");
    record.stop = { requested_at: now, reason, grace_ms: graceMs, by, ...(threshold ? { threshold } : {}) };
    if (record.state === "created") {
      // Never triggered: nothing ran. The stop still goes out, so drivers forget the plan they accepted.
      Object.assign(record, { state: "stopped", ended_at: now, error: `cancelled before its trigger: ${reason}` });
      record.stop.unconfirmed = [];
      const result = viewOf(test);
      live.delete(testId);
      store.saveTest(record, result);
      stops.publish(testId, reason, graceMs, now);
      log.info("test cancelled", { test_id: testId, reason });
      events.emit({ type: "test_final", test_id: testId, result, points: [] });
      return result;
    }
    try {
      await stops.publishNow(testId, reason, graceMs, now);
    } catch (err) {
      if (live.get(testId) === test) delete record.stop;
      log.error("publishing a stop failed", { test_id: testId, err });
      throw new OrchestratorError("unavailable", `could not publish the stop: ${(err as Error).message}`);
    }
    // Its last final report may have come in while the stop was being published: the test has
    // ended and its result is saved; saving the record again would drop that result.
    if (live.get(testId) !== test) return store.getTest(testId)?.result ?? viewOf(test);
    store.saveTest(record, null);
    log.info("test stopping", { test_id: testId, reason, grace_ms: graceMs, by });
    return viewOf(test);
  };

  const onRunningHeartbeat = (testId: string, nodeId: string, now: number) => {
    const test = live.get(testId);
    if (test && (test.record.state === "created" || !test.record.stop)) return;
    if (!stops.due(testId, now)) return;
    if (test) {
      // Its heartbeat may have left just before its final report.
      if (test.aggregate.drivers.get(nodeId)?.final) return;
      return stops.publish(testId, test.record.stop!.reason, test.record.stop!.grace_ms, now);
    }
    const stored = store.getTest(testId);
    if (stored?.result?.per_driver.some((d) => d.node_id === nodeId && d.final)) return;
    const state = stored?.record.state ?? "unknown";
    log.warn("a driver still runs a test that is over: stopping it", { test_id: testId, node_id: nodeId, state });
    const reason = stored ? `test ${testId} is ${state} on the orchestrator` : `test ${testId} is unknown to the orchestrator`;
    stops.publish(testId, stored?.record.stop?.reason ?? reason, stored?.record.stop?.grace_ms ?? DEFAULT_STOP_GRACE_MS, now);
  };

  return {
    stopTest,
    onRunningHeartbeat,
    publish: (testId, reason, graceMs, now) => stops.publish(testId, reason, graceMs, now),
    prune: (now) => stops.prune(now),
  };
}
