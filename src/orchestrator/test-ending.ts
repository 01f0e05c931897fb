// How a test ends: judged at the liveness time (liveness.ts) after every report, driver event
// and tick; failed when the bus stayed degraded; interrupted by a restart. The result is saved
// with its view, announced on the hub with its newest series points, and the test is kept among
// the recently ended ones so its series is served without reading the store again.
import type { Bus } from "../bus/index.ts";
import type { Logger } from "../log.ts";
import { DEFAULT_STOP_GRACE_MS } from "../protocol/index.ts";
import { degradedBusFailure } from "./bus-health.ts";
import type { Clock } from "./clock.ts";
import type { EventHub, OrchestratorEvent } from "./event-hub.ts";
import { restoreLiveTest } from "./compact-store.ts";
import type { LiveTest } from "./live-test.ts";
import type { OrchestratorOptions } from "./options.ts";
import type { NodeRegistry } from "./registry.ts";
import { LIVE_TAIL_POINTS } from "./series.ts";
import type { OrchestratorStore } from "./store.ts";
import type { Evaluation, TestRecord } from "./test-state.ts";

/** What ending tests works with (shared with the orchestrator). */
export interface TestEndingDeps {
  bus: Pick<Bus, "degradedTopics">;
  store: OrchestratorStore;
  clock: Clock;
  log: Logger;
  events: EventHub<OrchestratorEvent>;
  options: OrchestratorOptions;
  registry: NodeRegistry;
  live: Map<string, LiveTest>;
  /** The time liveness is judged at, for `now` (see liveness.ts). */
  judgeAt: (now: number) => number;
  /** Called with each test that ended (kept for its series, its abort watch dropped). */
  onEnded: (test: LiveTest) => void;
}

/** Ending tests. */
export interface TestEnding {
  /** Judges a live test now and ends it when it can end. */
  evaluate(test: LiveTest): Evaluation;
  /** Ends a running test `failed` once a bus topic was degraded too long while it ran; true when it did. */
  failIfBusDegraded(test: LiveTest, now: number): boolean;
  /** Marks a test found active at start-up `interrupted` (or `stopped`, if it was being stopped). */
  interrupt(record: TestRecord): void;
}

/** Builds test ending. */
export function createTestEnding({ bus, store, clock, log, events, options, registry, live, judgeAt, onEnded }: TestEndingDeps): TestEnding {
  /** Saves, announces and forgets an ended test. */
  const finish = (test: LiveTest, result: ReturnType<LiveTest["view"]>) => {
    store.saveTest(test.record, result);
    live.delete(test.test_id);
    onEnded(test);
    events.emit({ type: "test_final", test_id: test.test_id, result, points: test.tail(LIVE_TAIL_POINTS) });
  };

  const evaluate = (test: LiveTest): Evaluation => {
    const now = clock.now();
    const evaluation = test.evaluate(registry, judgeAt(now), options);
    if (!evaluation.ended) return evaluation;
    const { record } = test;
    record.state = evaluation.state;
    record.ended_at = now;
    record.error = evaluation.error;
    if (evaluation.state === "stopped" && record.stop) record.stop.unconfirmed = evaluation.unconfirmed ?? [];
    const result = test.view(registry, now, evaluation.outcomes);
    log.info(`test ${record.state}`, { test_id: record.test_id, error: record.error, sent: result.metrics.counts.sent });
    finish(test, result);
    return evaluation;
  };

  /** Ends a running test `failed` with `error` whatever its reports say (the bus stayed degraded). */
  const failTest = (test: LiveTest, error: string) => {
    const now = clock.now();
    const { outcomes } = test.evaluate(registry, judgeAt(now), options);
    Object.assign(test.record, { state: "failed", ended_at: now, error });
    const result = test.view(registry, now, outcomes);
    log.warn("test failed", { test_id: test.test_id, error, sent: result.metrics.counts.sent });
    finish(test, result);
  };

  const failIfBusDegraded = (test: LiveTest, now: number): boolean => {
    const { record } = test;
    if (record.state !== "running") return false;
    const error = degradedBusFailure(bus.degradedTopics?.() ?? [], record.start_at ?? record.triggered_at ?? now, now, options.busDegradedFailMs);
    if (error !== null) failTest(test, error);
    return error !== null;
  };

  /**
   * A test found active at start-up: marked `interrupted` with a stop `by: "restart"` (the
   * caller publishes it, so drivers still running it stop); one that was already being stopped
   * ends `stopped`, its drivers without a final report `unconfirmed`.
   */
  const interrupt = (record: TestRecord) => {
    const now = clock.now();
    const test = restoreLiveTest(store, record, now);
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
    onEnded(test);
    log.warn("test interrupted by a restart", { test_id: record.test_id, was: previous });
  };

  return { evaluate, failIfBusDegraded, interrupt };
}
