/**
 * Signed commands end to end (issue 13): real processes, the shared broker. The orchestrator
 * signs with a rotated key that the drivers trust next to the old one; forged test_config and
 * trigger messages produced straight onto the topics with kafkajs (unsigned, wrongly signed, a
 * replay of a real signed test, a signed one with its target changed) start no request at the
 * target, and every refusal is counted by reason on /metrics and in the drivers' logs. A forged
 * report for a real driver is dropped for its missing HMAC. Drivers with an edge policy reject a
 * test outside it, naming the rule; the others run it and it ends `partial` with the reason.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel, type Producer } from "kafkajs";
import { KafkaBus } from "../../src/bus/index.ts";
import { topicName, type MessageOf, type TopicKey } from "../../src/protocol/index.ts";
import { Fleet, nodeCommand, type NodeProcess } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { completedByDriver, getTest, listNodes, resetTarget, startTest, targetMetrics, waitForAlive, waitForTestEnd } from "../helpers/orchestrator-client.ts";
import { waitFor } from "../helpers/wait.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook. Each wait is bounded too.
setDefaultTimeout(180_000);

const SIGNED = ["sg-1", "sg-2"];
const COUNT = 40;

let fleet: Fleet;
let prefix: string;
let keys: { old: string; fresh: string };
let orchestrator: { node: NodeProcess; url: string };
let target: { node: NodeProcess; url: string };
let producer: Producer | undefined;
let spy: KafkaBus | undefined;
const heard: { test_config: MessageOf<"test_config">[]; trigger: MessageOf<"trigger">[] } = { test_config: [], trigger: [] };

/** `bun run loadtest keygen --out DIR`, as a user would; returns DIR. */
function keygen(name: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), "lt-keys-")), name);
  const run = Bun.spawnSync([...nodeCommand("loadtest"), "keygen", "--out", dir], { stdout: "pipe", stderr: "pipe", timeout: 30_000 });
  if (run.exitCode !== 0) throw new Error(`keygen failed: ${run.stderr.toString()}`);
  return dir;
}

/** The values of one labelled counter family on a Prometheus page. */
function samples(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const match of text.matchAll(new RegExp(`^${name}\\{${label}="([^"]+)"\\} (\\S+)$`, "gm"))) out[match[1]!] = Number(match[2]);
  return out;
}

const metricsPage = async () => (await fetch(`${orchestrator.url}/metrics`)).text();

/** Produces raw JSON values straight onto a topic, as an attacker with write access would. */
async function produce(topic: TopicKey, values: object[]): Promise<void> {
  await producer!.send({ topic: topicName(topic, prefix), acks: -1, messages: values.map((v) => ({ value: JSON.stringify(v) })) });
}

/** How many "refused a command" lines each signed driver logged, by reason. */
function refusalsLogged(node: NodeProcess): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of node.output().split("\n")) {
    if (!line.includes("refused a command")) continue;
    const reason = /"reason":"(\w+)"/.exec(line)?.[1] ?? "?";
    out[reason] = (out[reason] ?? 0) + 1;
  }
  return out;
}

beforeAll(async () => {
  const brokers = await requireKafka();
  prefix = uniqueTopicPrefix("e2e-signed");
  fleet = new Fleet({ brokers, topicPrefix: prefix });
  keys = { old: keygen("old"), fresh: keygen("fresh") };
  // Rotation: the orchestrator signs with the new key, the drivers trust the old one and the new one.
  // The report key is shared by the fleet (keygen writes one per folder; the new folder's is used).
  target = await fleet.target();
  orchestrator = await fleet.orchestrator("orchestrator", ["--target", `${target.url}/ping`, "--allow-target", "127.0.0.1"], {
    ORCHESTRATOR_SIGNING_KEY: join(keys.fresh, "signing.key"),
    ORCHESTRATOR_REPORT_KEY: join(keys.fresh, "report.key"),
  });
  for (const id of SIGNED) {
    fleet.driver(id, ["--trust-key", join(keys.old, "signing.pub"), "--trust-key", join(keys.fresh, "signing.pub"), "--report-key", join(keys.fresh, "report.key")]);
  }
  await waitForAlive(orchestrator.url, SIGNED, 60_000);
  spy = new KafkaBus({ connection: { brokers, clientId: "signed-spy", topicPrefix: prefix } });
  await spy.subscribe("test_config", { mode: { kind: "broadcast" } }, (m) => void heard.test_config.push(m));
  await spy.subscribe("trigger", { mode: { kind: "broadcast" } }, (m) => void heard.trigger.push(m));
  producer = new Kafka({ clientId: "forger", brokers, logLevel: logLevel.NOTHING }).producer({ allowAutoTopicCreation: false });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await spy?.close();
  await fleet?.stop();
});

let realTestId = "";

test("a test signed with the rotated key runs on drivers trusting both keys; /nodes shows they verify; counts exact", async () => {
  const nodes = (await listNodes(orchestrator.url)) as unknown as { node_id: string; verifies_signatures?: boolean }[];
  expect(nodes.map((n) => [n.node_id, n.verifies_signatures])).toEqual(SIGNED.map((id) => [id, true]));
  expect(orchestrator.node.output()).toContain("signing every command to the drivers");
  expect(orchestrator.node.output()).not.toContain("UNSIGNED COMMANDS");
  const created = await startTest(orchestrator.url, { test_type: "AVALANCHE", message_count_per_driver: COUNT, concurrency: 4 });
  realTestId = created.test_id;
  const ended = await waitForTestEnd(orchestrator.url, created.test_id, 120_000);
  const seen = await targetMetrics(target.url);
  expect({ state: ended.state, completed: completedByDriver(ended), target: seen.ping.received }).toEqual({
    state: "done",
    completed: { "sg-1": COUNT, "sg-2": COUNT },
    target: 2 * COUNT,
  });
  await waitFor("the spy to hear the signed config (twice: created, then before the trigger) and the trigger", () =>
    heard.test_config.filter((c) => c.test_id === realTestId).length >= 1 && heard.trigger.some((t) => t.test_id === realTestId),
  );
  expect(heard.trigger.find((t) => t.test_id === realTestId)?.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
});

test("forged commands on the topics start nothing at the target; each refusal is counted by reason", async () => {
  expect(realTestId).not.toBe("");
  await resetTarget(target.url);
  const victim = `${target.url}/ping?forged=1`;
  const now = Date.now();
  const config = (test_id: string) => ({ test_id, test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 25, target_url: victim });
  const realConfig = heard.test_config.find((c) => c.test_id === realTestId)!;
  const realTrigger = heard.trigger.find((t) => t.test_id === realTestId)!;
  const bogus = { key_id: realTrigger.key_id, issued_at: now, signature: "A".repeat(86) };

  // No signature (config + trigger), a made-up signature (config + trigger), the real signed
  // test replayed (config + trigger), the real signed config with its target changed.
  await produce("test_config", [config("forged-unsigned"), { ...config("forged-badsig"), ...bogus }, realConfig, { ...realConfig, target_url: victim }]);
  await produce("trigger", [{ test_id: "forged-unsigned", trigger: "YES" }, { test_id: "forged-badsig", trigger: "YES", ...bogus }, realTrigger]);

  // The replayed configuration is the same content again: accepted as idempotent (the driver
  // ignores a configuration of a test it ran); the replayed trigger is the refusal that matters.
  const expected = { unsigned: 2 * SIGNED.length, bad_signature: 3 * SIGNED.length, replay: SIGNED.length };
  const page = await waitFor(
    "the orchestrator to count every refusal",
    async () => {
      const text = await metricsPage();
      return JSON.stringify(samples(text, "loadtest_commands_rejected_total", "reason")) === JSON.stringify(expected) ? text : null;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  ).catch(async (err) => {
    throw new Error(`${(err as Error).message}; /metrics says ${JSON.stringify(samples(await metricsPage(), "loadtest_commands_rejected_total", "reason"))}`);
  });
  expect(samples(page, "loadtest_commands_rejected_total", "reason")).toEqual(expected);
  for (const id of SIGNED) expect({ id, refused: refusalsLogged(fleet.nodeByName(id)!) }).toEqual({ id, refused: { unsigned: 2, bad_signature: 3, replay: 1 } });
  // Every forged command was refused before the driver core saw it: none accepted, none started, no request.
  for (const id of SIGNED) {
    const lines = fleet.nodeByName(id)!.output().split("\n").filter((l) => /"msg":"test (accepted|started)"/.test(l) && l.includes('"test_id":"forged-'));
    expect({ id, lines }).toEqual({ id, lines: [] });
  }
  expect((await targetMetrics(target.url)).requests_received).toBe(0);
  const nodes = await listNodes(orchestrator.url);
  expect(nodes.filter((n) => n.status === "alive").map((n) => n.node_id).sort()).toEqual(SIGNED);
});

test("a forged report for a real driver is dropped for its missing HMAC and counted", async () => {
  const before = await getTest(orchestrator.url, realTestId);
  const report = { node_id: "sg-1", test_id: realTestId, report_id: "forged-report-1", sequence: 999, final: true, metrics: { mean_latency: 1, median_latency: 1, min_latency: 1, max_latency: 1 } };
  await produce("metrics", [report]);
  await waitFor("the forged report to be counted", async () => samples(await metricsPage(), "loadtest_reports_forged_total", "reason").unsigned === 1, { timeoutMs: 30_000, intervalMs: 250 });
  const after = await getTest(orchestrator.url, realTestId);
  expect(after.per_driver).toEqual(before.per_driver);
});

test("drivers with an edge policy reject a test outside it naming the rule; the others run it; the test ends partial", async () => {
  await resetTarget(target.url);
  const policyDrivers = { "pol-allow": ["--allow-target", "target.internal"], "pol-rps": ["--max-rps", "10"] };
  for (const [id, flags] of Object.entries(policyDrivers)) fleet.driver(id, ["--trust-key", join(keys.fresh, "signing.pub"), "--report-key", join(keys.fresh, "report.key"), ...flags]);
  await waitForAlive(orchestrator.url, [...SIGNED, ...Object.keys(policyDrivers)], 60_000);
  const created = await startTest(orchestrator.url, { test_type: "TSUNAMI", test_message_delay: 20, target_throughput: 50, message_count_per_driver: 20 });
  const ended = await waitForTestEnd(orchestrator.url, created.test_id, 120_000);
  const seen = await targetMetrics(target.url);
  const byDriver = Object.fromEntries(ended.per_driver.map((d) => [d.node_id, d.outcome]));
  expect({ state: ended.state, byDriver, completed: ended.metrics.counts.completed, target: seen.ping.received }).toEqual({
    state: "partial",
    byDriver: { "sg-1": "final", "sg-2": "final", "pol-allow": "rejected", "pol-rps": "rejected" },
    completed: 40,
    target: 40,
  });
  expect(ended.error).toContain("pol-allow: cannot run test");
  expect(ended.error).toContain("outside this driver's --allow-target (target.internal)");
  expect(ended.error).toContain("above this driver's --max-rps 10");
  const full = (await (await fetch(`${orchestrator.url}/tests/${created.test_id}`)).json()) as { per_driver: { node_id: string; error: string | null; issues: { path: string }[] }[] };
  expect(full.per_driver.filter((d) => d.node_id.startsWith("pol-")).map((d) => [d.node_id, d.issues.map((i) => i.path)])).toEqual([
    ["pol-allow", ["target_url"]],
    ["pol-rps", ["target_throughput"]],
  ]);
});

test("stops are signed too: a forged stop is refused and the test runs on; the orchestrator's signed stop ends it", async () => {
  await resetTarget(target.url);
  const before = samples(await metricsPage(), "loadtest_commands_rejected_total", "reason").unsigned ?? 0;
  // 5 requests/s per driver for 40 s: within pol-rps's --max-rps 10; pol-allow refuses the target.
  const created = await startTest(orchestrator.url, { test_type: "TSUNAMI", test_message_delay: 200, message_count_per_driver: 200 });
  const sentSoFar = async () => (await getTest(orchestrator.url, created.test_id)).metrics.counts.sent;
  await waitFor("the first reports", async () => (await sentSoFar()) > 0, { timeoutMs: 30_000, intervalMs: 100 });
  await produce("stop", [{ test_id: created.test_id, stop: "YES", reason: "forged", stop_grace_ms: 0 }]);
  const signedDrivers = 4; // sg-1, sg-2, pol-allow, pol-rps
  await waitFor("every driver to refuse the forged stop", async () => samples(await metricsPage(), "loadtest_commands_rejected_total", "reason").unsigned === before + signedDrivers, { timeoutMs: 30_000, intervalMs: 100 });
  const atRefusal = await sentSoFar();
  await waitFor("the test to keep sending after the forged stop", async () => (await sentSoFar()) > atRefusal + 5, { timeoutMs: 30_000, intervalMs: 100 });
  expect((await getTest(orchestrator.url, created.test_id)).state).toBe("running");
  const stopped = await fetch(`${orchestrator.url}/tests/${created.test_id}/stop`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reason: "enough" }) });
  expect(stopped.status).toBe(200);
  const ended = await waitForTestEnd(orchestrator.url, created.test_id, 60_000);
  const seen = await targetMetrics(target.url);
  expect({ state: ended.state, short: ended.metrics.counts.sent < 3 * 200, exact: ended.metrics.counts.completed === seen.ping.received }).toEqual({ state: "stopped", short: true, exact: true });
});

test("without keys both nodes warn at start, and /nodes shows the driver does not verify", async () => {
  const plain = fleet.driver("plain-1");
  await fleet.waitForOutput(plain, /UNVERIFIED COMMANDS: no --trust-key/);
  await waitFor("plain-1 to say it does not verify", async () => {
    const node = ((await listNodes(orchestrator.url)) as unknown as { node_id: string; verifies_signatures?: boolean }[]).find((n) => n.node_id === "plain-1");
    return node?.verifies_signatures === false;
  });
  const unsigned = fleet.spawn("orchestrator", "orchestrator-unsigned", ["--port", "0", "--db", join(fleet.dir, "unsigned.sqlite"), "--topic-prefix", `${prefix}unsigned-`]);
  await fleet.waitForOutput(unsigned, /UNSIGNED COMMANDS: no --signing-key/, 60_000);
  await fleet.signal(unsigned, "SIGTERM");
});
