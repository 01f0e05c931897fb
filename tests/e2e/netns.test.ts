/**
 * Drivers on separate hosts: two network namespaces, each with its own link and address, a
 * broker of their own on a root-namespace address, and the orchestrator in the root namespace.
 * Each driver registers with the address the broker sees it on; pulling one driver's link in the
 * middle of a test gets it declared dead and the test ends `partial` with the other driver's
 * counts exact. Each host resolves the target's name to a target process on its own link, so
 * the target's counters say what each driver really delivered. Needs root (CI runs as root).
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { Fleet } from "../helpers/fleet.ts";
import { uniqueTopicPrefix } from "../helpers/kafka.ts";
import { NetnsLab, startLabBroker, type LabBroker, type NetnsHost } from "../helpers/netns.ts";
import { getTest, listNodes, startTest, targetMetrics, waitForAlive, waitForTestEnd } from "../helpers/orchestrator-client.ts";
import { waitFor } from "../helpers/wait.ts";

// bunfig.toml's [test] timeout is not read by Bun 1.4.5 (the default stays 5 s, hooks included);
// this bounds each test and hook of the file. Every wait inside is bounded on its own too.
setDefaultTimeout(180_000);

const ROOT = join(import.meta.dir, "..", "..");
const TARGET_PORT = 8080;
const COUNT_PER_DRIVER = 300;
/** 6 s of sending: the cut comes well before h1 could finish, however slow the machine. */
const DELAY_MS = 20;
/**
 * What is checked is that a cut link ends the test partial, not how fast: wide enough that the
 * survivor's beats, late on a loaded machine, never get it declared dead too.
 */
const DEAD_AFTER_MS = 10_000;

let lab: NetnsLab | undefined;
let broker: LabBroker | undefined;
let fleet: Fleet | undefined;
const namespaced: Subprocess[] = [];

beforeAll(async () => {
  lab = new NetnsLab(2);
  broker = await startLabBroker(lab.serviceAddress);
});

afterAll(async () => {
  // Processes first: a namespace with a process in it outlives `ip netns del`.
  for (const proc of namespaced) proc.kill("SIGKILL");
  await Promise.all(namespaced.map((proc) => proc.exited));
  await fleet?.stop();
  broker?.stop();
  const leftovers = lab?.destroy() ?? [];
  if (leftovers.length > 0) throw new Error(`netns cleanup failed: ${leftovers.join("; ")}`);
});

test("drivers on two hosts register with their own addresses, and cutting one's link mid-test ends it partial with the other's counts intact", async () => {
  const [h1, h2] = lab!.hosts as [NetnsHost, NetnsHost];
  const topicPrefix = uniqueTopicPrefix("netns");
  fleet = new Fleet({ brokers: [broker!.address], topicPrefix });
  const targetName = `lt-target-${lab!.id}`;

  // One target per host link, same name and port: each host's /etc/hosts points at its own.
  const targets = new Map<NetnsHost, string>();
  for (const host of [h1, h2]) {
    const { url } = await fleet.target(`target-${host.name}`, ["--host", host.rootAddress, "--port", String(TARGET_PORT)]);
    targets.set(host, url);
    lab!.setHosts(host, { [targetName]: host.rootAddress });
  }
  const orchestrator = await fleet.orchestrator("orchestrator", [
    "--host",
    "127.0.0.1",
    "--allow-target",
    `${targetName}:${TARGET_PORT}`,
    "--dead-after-ms",
    String(DEAD_AFTER_MS),
  ]);

  const nodeIds = new Map<NetnsHost, string>([
    [h1, `netns-${h1.name}`],
    [h2, `netns-${h2.name}`],
  ]);
  for (const [host, nodeId] of nodeIds) {
    const logPath = join(fleet.dir, `${nodeId}.log`);
    const argv = [process.execPath, join(ROOT, "src/driver/main.ts"), "--node-id", nodeId, "--brokers", broker!.address, "--topic-prefix", topicPrefix];
    namespaced.push(
      Bun.spawn(lab!.exec(host, argv), {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: "info" },
        stdout: Bun.file(logPath),
        stderr: Bun.file(logPath),
        stdin: "ignore",
      }),
    );
  }

  const alive = await waitForAlive(orchestrator.url, [...nodeIds.values()], 60_000);
  expect(Object.fromEntries(alive.map((node) => [node.node_id, node.node_IP]))).toEqual({
    [nodeIds.get(h1)!]: h1.address,
    [nodeIds.get(h2)!]: h2.address,
  });

  const created = await startTest(orchestrator.url, {
    test_type: "TSUNAMI",
    test_message_delay: DELAY_MS,
    message_count_per_driver: COUNT_PER_DRIVER,
    target_url: `http://${targetName}:${TARGET_PORT}/ping`,
  });
  // Pull h1's cable once its target has seen a tenth of its requests, well before the end.
  await waitFor("h1's requests to reach its target", async () => (await targetMetrics(targets.get(h1)!)).ping.received >= COUNT_PER_DRIVER / 10, {
    timeoutMs: 30_000,
    intervalMs: 20,
  });
  lab!.cut(h1);
  expect((await getTest(orchestrator.url, created.test_id)).state).toBe("running");

  const ended = await waitForTestEnd(orchestrator.url, created.test_id, 60_000);
  const seenBy = { h1: await targetMetrics(targets.get(h1)!), h2: await targetMetrics(targets.get(h2)!) };
  const cut = ended.per_driver.find((driver) => driver.node_id === nodeIds.get(h1))!;
  const survivor = ended.per_driver.find((driver) => driver.node_id === nodeIds.get(h2))!;

  expect(ended.state).toBe("partial");
  // The survivor: every request sent, answered and counted, as its own target saw them.
  expect({ outcome: survivor.outcome, sent: survivor.counts.sent, completed: survivor.counts.completed, ok: survivor.counts.status_2xx }).toEqual({
    outcome: "final",
    sent: COUNT_PER_DRIVER,
    completed: COUNT_PER_DRIVER,
    ok: COUNT_PER_DRIVER,
  });
  expect(seenBy.h2.ping).toEqual({ received: COUNT_PER_DRIVER, responses: COUNT_PER_DRIVER });
  // The cut driver: dead, and credited with no more than its target answered before the cut.
  expect(cut.outcome).toBe("dead");
  expect(cut.counts.completed).toBeLessThanOrEqual(seenBy.h1.ping.responses);
  expect(seenBy.h1.ping.received).toBeLessThan(COUNT_PER_DRIVER);
  expect(ended.metrics.counts.completed).toBe(survivor.counts.completed + cut.counts.completed);

  const nodes = Object.fromEntries((await listNodes(orchestrator.url)).map((node) => [node.node_id, node]));
  expect({ status: nodes[nodeIds.get(h1)!]?.status, events: nodes[nodeIds.get(h1)!]?.history.map((h) => h.event) }).toEqual({
    status: "dead",
    events: ["joined", "died"],
  });
  expect(nodes[nodeIds.get(h2)!]?.status).toBe("alive");
});
