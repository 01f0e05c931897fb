import { afterEach, expect, test } from "bun:test";
import { createApp } from "../../../../src/orchestrator/http/app.ts";
import { startHarness } from "../fixtures.ts";

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

test("every :id route answers an id that cannot be one with the same 404, before looking anything up", async () => {
  harness = await startHarness();
  const app = createApp(harness.orchestrator, { defaultTarget: "http://127.0.0.1:8080/ping", allowTargets: ["127.0.0.1"] });
  const bad = encodeURIComponent("not an id");
  const routes: [string, string, string][] = [
    ["GET", `/tests/${bad}`, "test"],
    ["GET", `/tests/${bad}/report`, "test"],
    ["GET", `/tests/${bad}/events`, "test"],
    ["POST", `/tests/${bad}/trigger`, "test"],
    ["POST", `/tests/${bad}/stop`, "test"],
    ["DELETE", `/nodes/${bad}`, "node"],
  ];
  const answers = await Promise.all(
    routes.map(async ([method, path]) => {
      const res = await app.request(path, { method });
      return { status: res.status, error: ((await res.json()) as { error: string }).error };
    }),
  );
  expect(answers).toEqual(routes.map(([, , what]) => ({ status: 404, error: `no ${what} "not an id"` })));
});
