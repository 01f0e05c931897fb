import { afterEach, expect, test } from "bun:test";
import type { TestRequest } from "../../../src/orchestrator/test-request.ts";
import type { TestConfig, Trigger } from "../../../src/protocol/index.ts";
import { waitFor } from "../../helpers/wait.ts";
import { startHarness } from "./fixtures.ts";

const request: TestRequest = { test_type: "AVALANCHE", message_count_per_driver: 100, target_url: "http://127.0.0.1:8080/ping", trigger: true };
let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** Records what the drivers hear, in order, as "config:<id>" and "trigger:<id>". */
async function listen(h: NonNullable<typeof harness>): Promise<string[]> {
  const heard: string[] = [];
  await h.drivers.subscribe("test_config", { mode: { kind: "broadcast" } }, (m: TestConfig) => void heard.push(`config:${m.test_id}`));
  await h.drivers.subscribe("trigger", { mode: { kind: "broadcast" } }, (m: Trigger) => void heard.push(`trigger:${m.test_id}`));
  return heard;
}

test("two simultaneous creates with trigger: one runs, the other gets 409 and nothing of it is created or published", async () => {
  harness = await startHarness({ ids: ["first", "second"] });
  const { orchestrator, join } = harness;
  const heard = await listen(harness);
  await join("d1");
  const results = await Promise.allSettled([orchestrator.createTest(request), orchestrator.createTest(request)]);
  await waitFor("the winner's trigger to reach the drivers", () => heard.includes("trigger:first"));
  const outcome = results.map((r) => (r.status === "fulfilled" ? r.value.state : (r.reason as { kind: string }).kind));
  const tests = orchestrator.listTests(10, 0).tests.map((t) => [t.test_id, t.state]);
  expect({ outcome, tests, heard }).toEqual({ outcome: ["running", "conflict"], tests: [["first", "running"]], heard: ["config:first", "trigger:first"] });
});

test("while a create with trigger is in flight, triggering another created test gets 409 and leaves it created", async () => {
  harness = await startHarness({ ids: ["waiting", "starting"] });
  const { orchestrator, join } = harness;
  await join("d1");
  await orchestrator.createTest({ ...request, trigger: false });
  const starting = orchestrator.createTest(request);
  const refused = await orchestrator.triggerTest("waiting").then(() => "triggered", (err: { kind: string; message: string }) => `${err.kind}: ${err.message}`);
  await starting;
  expect({ refused, waiting: orchestrator.getTest("waiting")!.state }).toEqual({
    refused: 'conflict: test starting is being started; trigger this one when it ends',
    waiting: "created",
  });
});

test("triggering a created test publishes its configuration again right before the trigger (drivers may have forgotten it)", async () => {
  harness = await startHarness({ ids: ["old"] });
  const { orchestrator, join } = harness;
  const heard = await listen(harness);
  await join("d1");
  await orchestrator.createTest({ ...request, trigger: false });
  await orchestrator.triggerTest("old");
  await waitFor("the trigger to reach the drivers", () => heard.includes("trigger:old"));
  expect(heard).toEqual(["config:old", "config:old", "trigger:old"]);
});
