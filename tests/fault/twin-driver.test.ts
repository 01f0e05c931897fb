/**
 * Issue 18 item 1: a second driver started with the node id of a live one (what "one driver per
 * core" with `--node-id "$(hostname)"` does). The newer process exits with status 3 and a
 * message naming the id and the other instance; while both are alive the orchestrator shows the
 * node in conflict on /nodes; and a 2-driver test afterwards counts exactly what the target
 * received. Real processes, the shared broker.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { Fleet } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { resetTarget, startTest, targetMetrics, waitForAlive, waitForTestEnd } from "../helpers/orchestrator-client.ts";
import { waitFor } from "../helpers/wait.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook. Each wait is bounded too.
setDefaultTimeout(240_000);

const COUNT = 3_000;

interface NodeWithConflict {
  node_id: string;
  status: string;
  instance_id?: string | null;
  conflict?: { instances: string[] } | null;
}

let fleet: Fleet | undefined;
let orchestratorUrl = "";
let targetUrl = "";

beforeAll(async () => {
  const brokers = await requireKafka();
  fleet = new Fleet({ brokers, topicPrefix: uniqueTopicPrefix("fault-twin-driver") });
});

afterAll(async () => {
  await fleet?.stop();
});

async function nodes(url: string): Promise<NodeWithConflict[]> {
  const response = await fetch(`${url}/nodes`);
  return ((await response.json()) as { nodes: NodeWithConflict[] }).nodes;
}

test("the newer of two drivers with one node id exits naming both instances, the conflict shows on /nodes meanwhile, and the next test is exact", async () => {
  const target = await fleet!.target();
  const orchestrator = await fleet!.orchestrator("orchestrator", ["--target", `${target.url}/ping`, "--allow-target", "127.0.0.1"]);
  orchestratorUrl = orchestrator.url;
  targetUrl = target.url;
  fleet!.driver("tw-1");
  fleet!.driver("tw-2");
  await waitForAlive(orchestrator.url, ["tw-1", "tw-2"], 60_000);
  const elder = (await nodes(orchestrator.url)).find((n) => n.node_id === "tw-1")!;
  expect(elder.instance_id).toMatch(/^[0-9a-f]{12}$/);

  const twin = fleet!.spawn("driver", "tw-1-twin", ["--node-id", "tw-1"]);
  // Polled while the twin runs: the conflict must be visible before it is gone.
  const seen = await waitFor(
    "tw-1 in conflict on /nodes while the twin runs",
    async () => {
      const node = (await nodes(orchestrator.url)).find((n) => n.node_id === "tw-1");
      const twinAlive = twin.proc.exitCode === null;
      if (node?.conflict) return { conflict: node.conflict, twinAlive };
      if (!twinAlive) throw new Error(`the twin exited before any conflict showed:\n${twin.output().slice(-2000)}`);
      return null;
    },
    { timeoutMs: 60_000, intervalMs: 20 },
  );
  expect(seen.twinAlive).toBe(true);
  expect(seen.conflict.instances).toContain(elder.instance_id!);
  expect(seen.conflict.instances).toHaveLength(2);
  const twinInstance = seen.conflict.instances.find((id) => id !== elder.instance_id)!;

  expect(await twin.proc.exited).toBe(3);
  expect(twin.output()).toContain(
    `driver: node id "tw-1" is already used by another running driver (instance ${elder.instance_id}, started `,
  );
  expect(twin.output()).toContain(`this driver (instance ${twinInstance}, started `);

  // The elder keeps running; the conflict ends once the twin has been silent for the dead-after time.
  await waitFor("the conflict to end", async () => (await nodes(orchestrator.url)).find((n) => n.node_id === "tw-1")?.conflict === null, { timeoutMs: 30_000, intervalMs: 100 });
  expect((await nodes(orchestrator.url)).filter((n) => n.status === "alive").map((n) => [n.node_id, n.instance_id])).toEqual([
    ["tw-1", elder.instance_id],
    ["tw-2", expect.any(String)],
  ]);

  await resetTarget(target.url);
  const created = await startTest(orchestrator.url, { test_type: "AVALANCHE", message_count_per_driver: COUNT, concurrency: 32 });
  expect(created.drivers).toEqual(["tw-1", "tw-2"]);
  const ended = await waitForTestEnd(orchestrator.url, created.test_id, 120_000);
  const received = (await targetMetrics(target.url)).ping.received;
  expect({ state: ended.state, sent: ended.metrics.counts.sent, completed: ended.metrics.counts.completed, received }).toEqual({
    state: "done",
    sent: 2 * COUNT,
    completed: 2 * COUNT,
    received: 2 * COUNT,
  });
});

test("a twin started while a test runs stands down without touching it: the test ends done and exact", async () => {
  expect(orchestratorUrl).not.toBe("");
  await resetTarget(targetUrl);
  // 400 sends 10 ms apart: 4 s per driver, during which the twin comes and goes.
  const created = await startTest(orchestratorUrl, { test_type: "TSUNAMI", test_message_delay: 10, message_count_per_driver: 400 });
  expect(created.drivers).toEqual(["tw-1", "tw-2"]);
  const twin = fleet!.spawn("driver", "tw-2-twin", ["--node-id", "tw-2"]);
  expect(await twin.proc.exited).toBe(3);
  expect(twin.output()).toContain('driver: node id "tw-2" is already used by another running driver');
  const ended = await waitForTestEnd(orchestratorUrl, created.test_id, 120_000);
  const received = (await targetMetrics(targetUrl)).ping.received;
  expect({ state: ended.state, completed: ended.metrics.counts.completed, received }).toEqual({ state: "done", completed: 800, received: 800 });
});
