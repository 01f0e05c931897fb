import type { Logger } from "../log.ts";
import type { Stop } from "../protocol/index.ts";
import type { AcceptedPlans } from "./accepted-plans.ts";
import type { Clock } from "./clock.ts";
import type { HeldTriggers } from "./held-triggers.ts";
import type { StoppedTests } from "./stopped-tests.ts";
import type { TestRun } from "./test-run.ts";

/** What {@link stopCommandHandler} reads and changes: the driver's running test and its books of tests. */
export interface StopCommandDeps {
  log: Logger;
  clock: Clock;
  /** True once the driver itself is stopping: stops are ignored then. */
  stopping(): boolean;
  current(): TestRun | null;
  isFinished(testId: string): boolean;
  accepted: AcceptedPlans;
  held: HeldTriggers;
  stoppedTests: StoppedTests;
}

/**
 * A stop command: the running test halts (no new request from now, in-flight ones get the
 * grace, then are aborted); a test accepted or held and not running is forgotten, and any
 * later configuration or trigger for it is rejected with the stop's reason. Idempotent: the
 * orchestrator repeats a stop while a driver's heartbeat still says it runs the test.
 */
export function stopCommandHandler(deps: StopCommandDeps): (stop: Stop) => void {
  const { log, clock, accepted, held, stoppedTests } = deps;
  return (stop) => {
    if (deps.stopping()) return;
    const run = deps.current();
    if (run !== null && run.testId === stop.test_id) {
      log.info("stopping test", { test_id: stop.test_id, reason: stop.reason, grace_ms: stop.stop_grace_ms });
      void run.halt(stop.reason, stop.stop_grace_ms);
      return;
    }
    if (deps.isFinished(stop.test_id)) return;
    const forgotten = accepted.take(stop.test_id) !== undefined;
    held.take(stop.test_id, clock.now());
    stoppedTests.add(stop.test_id, stop.reason);
    if (forgotten) log.info("forgot a stopped test before its trigger", { test_id: stop.test_id, reason: stop.reason });
  };
}
