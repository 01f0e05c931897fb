// `loadtest watch` of a test that was created and not triggered: it says it waits for the
// trigger, follows the test once triggered, and gives up after --trigger-timeout, naming it.
// An orchestrator with two drivers in this process (memory bus), served on port 0.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Server } from "bun";
import type { Output } from "../../src/cli/follow.ts";
import { main } from "../../src/cli/main.ts";
import type { TestView } from "../../src/orchestrator/snapshot.ts";
import { waitFor } from "../helpers/wait.ts";
import { startHarness, type Harness } from "./local-harness.ts";

let h: Harness;
let server: Server<unknown>;

beforeAll(async () => {
  h = await startHarness({ drivers: 2 });
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: h.app.fetch });
});
afterAll(async () => {
  await server?.stop(true);
  await h?.close();
});

/** Runs `loadtest` in this process; `output` fills as it prints. */
async function loadtest(argv: string[], output = { stdout: "", stderr: "" }): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: Output = { stdout: (t) => void (output.stdout += t), stderr: (t) => void (output.stderr += t), tty: false };
  const code = await main(argv, { env: { LOADTEST_URL: server.url.href }, out });
  return { code, ...output };
}

/** `POST /tests` without trigger: a test left `created`. */
async function createOnly(): Promise<string> {
  const response = await h.app.request("/tests", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ test_type: "AVALANCHE", message_count_per_driver: 20 }) });
  return ((await response.json()) as TestView).test_id;
}

test("watch of a created test says it waits for a trigger and exits 1 after the --trigger-timeout it names", async () => {
  const testId = await createOnly();
  const { code, stdout, stderr } = await loadtest(["watch", testId, "--trigger-timeout", "0.5"]);
  expect({ code, stdout, stderr }).toEqual({
    code: 1,
    stdout: "",
    stderr:
      `test ${testId} is created and waiting for a trigger (POST /tests/${testId}/trigger); waiting up to 0.5 s (--trigger-timeout)\n` +
      `loadtest watch: test ${testId} was not triggered within 0.5 s (--trigger-timeout); trigger it (POST /tests/${testId}/trigger) and watch again\n`,
  });
  expect((await (await h.app.request(`/tests/${testId}`)).json()).state).toBe("created");
});

test("watch of a created test follows it to its end once it is triggered", async () => {
  const testId = await createOnly();
  const output = { stdout: "", stderr: "" };
  const watching = loadtest(["watch", testId, "--json", "--trigger-timeout", "60"], output);
  // Triggered once watch has seen the test created and opened its event stream, so the wait is real.
  await waitFor("watch to wait for the trigger", () => output.stderr.includes("waiting for a trigger") && server.pendingRequests > 0);
  await h.app.request(`/tests/${testId}/trigger`, { method: "POST" });
  const { code, stdout } = await watching;
  const result = JSON.parse(stdout) as { test: TestView };
  expect({ code, state: result.test.state, completed: result.test.metrics.counts.completed }).toEqual({ code: 0, state: "done", completed: 40 });
});

test("watch refuses a --trigger-timeout that is not a positive number of seconds", async () => {
  const { code, stderr } = await loadtest(["watch", "some-id", "--trigger-timeout", "soon"]);
  expect({ code, line: stderr.split("\n")[0] }).toEqual({ code: 2, line: expect.stringContaining('--trigger-timeout must be a positive number of seconds, got "soon"') });
});
