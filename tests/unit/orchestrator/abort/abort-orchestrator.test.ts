import { afterEach, describe, expect, test } from "bun:test";
import type { TestRequest } from "../../../../src/orchestrator/test-request.ts";
import type { Stop } from "../../../../src/protocol/index.ts";
import { waitFor } from "../../../helpers/wait.ts";
import { FakeDriverReports, spread, startHarness, T0 } from "../fixtures.ts";

const request: TestRequest = { test_type: "AVALANCHE", message_count_per_driver: 10_000, target_url: "http://127.0.0.1:8080/ping", trigger: true };
let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function running(abort: Partial<TestRequest>) {
  harness = await startHarness({ ids: ["t1"] });
  const stops: Stop[] = [];
  await harness.drivers.subscribe("stop", { mode: { kind: "broadcast" } }, (m) => void stops.push(m));
  await harness.join("d1");
  await harness.join("d2");
  const view = await harness.orchestrator.createTest({ ...request, ...abort });
  const startAt = view.start_at!;
  const drivers = ["d1", "d2"].map((id) => new FakeDriverReports(id, "t1", startAt));
  /** Every driver reports one more second: `ok` fast completions and `errors` timeouts each. */
  const second = async (ok: number, errors: number) => {
    for (const d of drivers) await harness!.report(d.window(spread(ok, 1, 3), { errors }));
  };
  return { ...harness, stops, startAt, second };
}

describe("abort_on on the orchestrator", () => {
  test("stops the test by threshold once the delay has passed, with the threshold and its figure on the stop", async () => {
    const { orchestrator, clock, stops, startAt, second } = await running({ abort_on: ["p99>1000", "errors>10%"], abort_window_s: 2, abort_delay_s: 2 });
    // Each second's reports arrive as it ends; ticks run meanwhile.
    clock.advance(startAt + 1_000 - clock.now());
    await second(50, 50);
    clock.advance(startAt + 1_900 - clock.now());
    expect(orchestrator.getTest("t1")!.stop).toBeUndefined(); // before the delay
    clock.advance(startAt + 2_000 - clock.now());
    await second(50, 50);
    await waitFor("the threshold's stop to go out", () => stops.length === 1);
    const view = orchestrator.getTest("t1")!;
    expect({ state: view.state, stop: view.stop }).toEqual({
      state: "running",
      stop: {
        requested_at: startAt + 2_000,
        by: "threshold",
        grace_ms: 2000,
        // Judged as the first report of second 1 came in.
        reason: "abort_on errors>10% held: errors = 50.00% (150 of 300) over the last 2 s",
        threshold: { expression: "errors>10%", observed: 50, window_s: 2 },
      },
    });
    expect(stops[0]).toMatchObject({ test_id: "t1", reason: view.stop!.reason });
  });

  test("never stops a test whose figures stay within its thresholds", async () => {
    const { orchestrator, clock, stops, startAt, second } = await running({ abort_on: ["errors>10%", "p99>1000"], abort_window_s: 2, abort_delay_s: 0 });
    for (let s = 0; s < 5; s++) {
      await second(95, 5);
      clock.advance(1_000);
    }
    expect(clock.now()).toBeGreaterThan(startAt + 4_000);
    expect({ stop: orchestrator.getTest("t1")!.stop, stops: stops.length }).toEqual({ stop: undefined, stops: 0 });
  });

  test("a test without abort_on is never judged", async () => {
    const { orchestrator, clock, second } = await running({});
    await second(0, 100);
    clock.advance(15_000);
    expect(orchestrator.getTest("t1")!.stop).toBeUndefined();
  });
});
