import { describe, expect, test } from "bun:test";
import { silentLogger } from "../../../src/log.ts";
import type { Outbox, OutboxEntry } from "../../../src/driver/outbox.ts";
import type { RunPlan } from "../../../src/driver/run-plan.ts";
import type { ScenarioHooks } from "../../../src/driver/scenario-hooks.ts";
import type { FetchLike } from "../../../src/driver/send-loop.ts";
import { TestRun } from "../../../src/driver/test-run.ts";
import { FakeClock } from "./fake-clock.ts";

const plan: RunPlan = {
  testId: "sc", mode: "AVALANCHE", url: "http://target/", count: 6, delayMs: 0, concurrency: 2, timeoutMs: 1_000,
  requests: [
    { name: "a", method: "GET", url: "http://target/a", headers: [], body: null, weight: 1, checks: null },
    { name: "b", method: "DELETE", url: "http://other/b", headers: [], body: null, weight: 1, checks: { status: [204] } },
  ],
};

/** Stub hooks: request seq mod 2, its URL with `?seq=SEQ&node=NODE`; a status check. */
const hooks: ScenarioHooks = {
  createRequestSource: (p, { nodeId, testId }) => ({
    requests: p.requests!,
    next: (seq) => {
      const r = p.requests![seq % 2]!;
      return { request: seq % 2, method: r.method, url: `${r.url}?seq=${seq}&node=${nodeId}&test=${testId}`, headers: [], body: null, captureBodyBytes: 0 };
    },
  }),
  checkResponse: (checks, status) => (checks.status && !checks.status.includes(status) ? `status ${status}` : null),
};

async function runWith(scenario: ScenarioHooks | null) {
  const clock = new FakeClock();
  const pushed: OutboxEntry[] = [];
  const outbox = { push: (entry: OutboxEntry) => void pushed.push(entry) } as unknown as Outbox;
  const requests: string[] = [];
  const fetch: FetchLike = async (url, init) => {
    requests.push(`${init.method ?? "GET"} ${url}`);
    return new Response(null, { status: 200 });
  };
  const run = new TestRun(plan, { clock, fetch, outbox, log: silentLogger, nodeId: "d1", scenario });
  run.start({ test_id: "sc", trigger: "YES" });
  await clock.advanceUntil(() => pushed.some((e) => e.topic === "driver_event" && e.message.event === "TEST_FINISHED"));
  const finished = pushed.find((e) => e.topic === "driver_event" && e.message.event === "TEST_FINISHED")!.message as { error?: string };
  return { requests: requests.toSorted(), error: finished.error };
}

describe("TestRun with a plan that has requests", () => {
  test("builds its request source with this driver's node id and sends the source's requests", async () => {
    expect(await runWith(hooks)).toEqual({
      requests: [0, 1, 2, 3, 4, 5].map((seq) => (seq % 2 === 0 ? `GET http://target/a?seq=${seq}&node=d1&test=sc` : `DELETE http://other/b?seq=${seq}&node=d1&test=sc`)).toSorted(),
      error: undefined,
    });
  });

  test("without scenario hooks it sends nothing and finishes with an error saying why", async () => {
    expect(await runWith(null)).toEqual({ requests: [], error: "this driver cannot run request scenarios (no scenario module) (stopped after 0 of 6 requests)" });
  });
});
