/**
 * Races and forgotten tests over real processes and the shared broker (orchestrator, one
 * driver, target):
 * - two `POST /tests` with `trigger: true` at once, several rounds: each round one runs and
 *   the other gets 409 with nothing created, so no test is ever left `created`;
 * - a test created and left waiting while 33 newer ones were created (the driver keeps 32
 *   configurations and forgets the oldest): its trigger runs it exactly, because the
 *   orchestrator publishes its configuration again right before the trigger.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Fleet, type NodeProcess } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { targetMetrics, waitForAlive, waitForTestEnd, type TestJson } from "../helpers/orchestrator-client.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook. Each wait is bounded too.
setDefaultTimeout(240_000);

const DRIVER = "tr-1";
const ROUNDS = 4;
const COUNT = 50;
/** The driver's ACCEPTED_PLANS_KEPT plus one. */
const NEWER_TESTS = 33;

let fleet: Fleet;
let orchestratorUrl: string;
let targetUrl: string;
let driver: NodeProcess;

/** `POST /tests` with `body`; the status and the JSON answer. */
async function postTest(body: Record<string, unknown>): Promise<{ status: number; body: TestJson & { error?: string } }> {
  const response = await fetch(`${orchestratorUrl}/tests`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as TestJson & { error?: string } };
}

const testBody = (count: number) => ({ test_type: "AVALANCHE", message_count_per_driver: count, concurrency: 8, target_url: `${targetUrl}/ping` });

beforeAll(async () => {
  fleet = new Fleet({ brokers: await requireKafka(), topicPrefix: uniqueTopicPrefix("trigger-races") });
  targetUrl = (await fleet.target()).url;
  orchestratorUrl = (await fleet.orchestrator("orchestrator", ["--allow-target", "127.0.0.1"])).url;
  driver = fleet.driver(DRIVER);
  await waitForAlive(orchestratorUrl, [DRIVER], 60_000);
});

afterAll(async () => {
  await fleet?.stop();
});

describe("trigger races and forgotten tests", () => {
  test("two simultaneous POST /tests with trigger: one runs, the other gets 409 and nothing is created; no test is ever left created", async () => {
    const rounds: { statuses: number[]; state: string; completed: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const answers = await Promise.all([postTest({ ...testBody(COUNT), trigger: true }), postTest({ ...testBody(COUNT), trigger: true })]);
      const winner = answers.find((a) => a.status === 201)!;
      const ended = await waitForTestEnd(orchestratorUrl, winner.body.test_id, 60_000);
      rounds.push({ statuses: answers.map((a) => a.status).sort(), state: ended.state, completed: ended.metrics.counts.completed });
    }
    const list = (await (await fetch(`${orchestratorUrl}/tests?limit=100`)).json()) as { tests: { state: string }[]; total: number };
    const received = (await targetMetrics(targetUrl)).ping.received;
    expect({ rounds, total: list.total, created: list.tests.filter((t) => t.state === "created").length, received }).toEqual({
      rounds: Array.from({ length: ROUNDS }, () => ({ statuses: [201, 409], state: "done", completed: COUNT })),
      total: ROUNDS,
      created: 0,
      received: ROUNDS * COUNT,
    });
  });

  test(`a test triggered after ${NEWER_TESTS} newer ones were created runs exactly, though the driver had forgotten its configuration`, async () => {
    const old = await postTest(testBody(COUNT));
    for (let i = 0; i < NEWER_TESTS; i++) expect((await postTest(testBody(1))).status).toBe(201);
    // The driver did forget it: the path under test is the re-published configuration.
    await fleet.waitForOutput(driver, new RegExp(`forgot the oldest configuration[^\\n]*${old.body.test_id}`), 60_000);
    const before = (await targetMetrics(targetUrl)).ping.received;
    const triggered = await fetch(`${orchestratorUrl}/tests/${old.body.test_id}/trigger`, { method: "POST" });
    const ended = await waitForTestEnd(orchestratorUrl, old.body.test_id, 60_000);
    const received = (await targetMetrics(targetUrl)).ping.received - before;
    expect({ trigger: triggered.status, state: ended.state, error: ended.error, completed: ended.metrics.counts.completed, received }).toEqual({
      trigger: 200,
      state: "done",
      error: null,
      completed: COUNT,
      received: COUNT,
    });
  });
});
