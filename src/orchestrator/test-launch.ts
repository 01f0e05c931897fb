// Creating and triggering tests: the run slot (one running test at a time, held from the first
// synchronous step of a create-and-trigger), the configuration and trigger published on the bus.
import type { Bus } from "../bus/index.ts";
import type { Logger } from "../log.ts";
import type { TestConfig } from "../protocol/index.ts";
import { abortConfigOf } from "./abort/abort-config.ts";
import type { Clock } from "./clock.ts";
import { OrchestratorError } from "./errors.ts";
import { LiveTest } from "./live-test.ts";
import type { OrchestratorOptions } from "./options.ts";
import { clockWarnings } from "./node-clock.ts";
import type { NodeRegistry } from "./registry.ts";
import type { TestView } from "./snapshot.ts";
import type { OrchestratorStore } from "./store.ts";
import type { TestRequest } from "./test-request.ts";
import type { TestRecord } from "./test-state.ts";
import { triggerLeadMs } from "./trigger-lead.ts";

/** What launching tests works with (shared with the orchestrator). */
export interface TestLaunchDeps {
  bus: Pick<Bus, "publish">;
  store: OrchestratorStore;
  clock: Clock;
  log: Logger;
  options: OrchestratorOptions;
  registry: NodeRegistry;
  live: Map<string, LiveTest>;
  newTestId: () => string;
  /** The view of a live test now. */
  viewOf: (test: LiveTest) => TestView;
}

/** See {@link Orchestrator.createTest} and {@link Orchestrator.triggerTest}. */
export interface TestLaunch {
  createTest(request: TestRequest): Promise<TestView>;
  triggerTest(testId: string): Promise<TestView>;
}

/** Builds test creation and triggering. */
export function createTestLaunch({ bus, store, clock, log, options, registry, live, newTestId, viewOf }: TestLaunchDeps): TestLaunch {
  /**
   * The test a `POST /tests` with `trigger` is creating, holding the run slot from its first
   * synchronous step: a second such request, or a trigger, is refused with 409 before anything
   * of it is created or published (two concurrent create-and-trigger requests used to leave the
   * loser's test `created` for ever).
   */
  let reservedBy: string | null = null;

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
    const start_at = now + triggerLeadMs(options.triggerLeadMs, options.triggerLeadPerDriverMs, test.record.drivers.length);
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

  return { createTest, triggerTest: (testId) => triggerCreated(testId, true) };
}
