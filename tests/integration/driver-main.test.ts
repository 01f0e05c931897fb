import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { KafkaBus } from "../../src/bus/index.ts";
import type { DriverEvent, MetricsReport, Register } from "../../src/protocol/index.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { waitFor } from "../helpers/wait.ts";

// Kafka group joins take seconds. Bun 1.4.5 ignores bunfig's [test] timeout and applies the
// preload's setDefaultTimeout to the first test file only, so this file sets its own.
setDefaultTimeout(60_000);

const MAIN = new URL("../../src/driver/main.ts", import.meta.url).pathname;
const closers: (() => unknown)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

test("answers --help and --version, and refuses an unknown flag with exit code 2", async () => {
  const run = async (...args: string[]) => {
    const proc = Bun.spawn(["bun", MAIN, ...args], { stdout: "pipe", stderr: "pipe" });
    return { code: await proc.exited, out: await new Response(proc.stdout).text(), err: await new Response(proc.stderr).text() };
  };
  const [help, version, bad] = await Promise.all([run("--help"), run("--version"), run("--nope")]);
  expect(help.code).toBe(0);
  expect(help.out).toContain("--advertise-ip");
  expect(version).toMatchObject({ code: 0, out: expect.stringMatching(/^driver \d+\.\d+\.\d+/) });
  expect(bad.code).toBe(2);
  expect(bad.err).toContain("--nope");
});

test("the driver process on SIGTERM finishes the running test, reports it, deregisters and exits 0", async () => {
  const brokers = await requireKafka();
  const topicPrefix = uniqueTopicPrefix("driver-main");
  let served = 0;
  using server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch() {
      served++;
      await Bun.sleep(20);
      return Response.json({ message: "pong" });
    },
  });

  const orchestrator = new KafkaBus({ connection: { brokers, clientId: "orchestrator", topicPrefix } });
  closers.push(() => orchestrator.close());
  const seen = { register: [] as Register[], metrics: [] as MetricsReport[], events: [] as DriverEvent[] };
  const collect = { mode: { kind: "collect", group: "orchestrator" } } as const;
  await Promise.all([
    orchestrator.subscribe("register", collect, (m) => void seen.register.push(m)),
    orchestrator.subscribe("metrics", collect, (m) => void seen.metrics.push(m)),
    orchestrator.subscribe("driver_event", collect, (m) => void seen.events.push(m)),
  ]);

  const proc = Bun.spawn(["bun", MAIN, "--node-id", "p1", "--topic-prefix", topicPrefix, "--advertise-ip", "198.51.100.7"], {
    env: { ...process.env, KAFKA_BROKERS: brokers.join(","), LOG_LEVEL: "warn" },
    stdout: "inherit",
    stderr: "inherit",
  });
  closers.push(() => proc.kill("SIGKILL"));

  await waitFor("registration", () => seen.register.find((r) => r.node_id === "p1"), { timeoutMs: 30_000 });
  expect(seen.register[0]).toMatchObject({ node_IP: "198.51.100.7", message_type: "DRIVER_NODE_REGISTER" });
  await orchestrator.publish("test_config", {
    test_id: "sigterm",
    test_type: "AVALANCHE",
    test_message_delay: 0,
    message_count_per_driver: 1_000_000,
    concurrency: 8,
    target_url: `http://127.0.0.1:${server.port}/ping`,
  });
  await orchestrator.publish("trigger", { test_id: "sigterm", trigger: "YES" });
  await waitFor("traffic", () => served >= 50, { timeoutMs: 30_000 });

  proc.kill("SIGTERM");
  expect(await proc.exited).toBe(0);

  const final = await waitFor("final report", () => seen.metrics.find((r) => r.test_id === "sigterm" && r.final), { timeoutMs: 30_000 });
  const c = final.counts!;
  expect(c.sent).toBe(served);
  expect(c.sent).toBe(c.completed + c.timeout + c.connection_error);
  expect(c.sent).toBeLessThan(1_000_000);
  const deregistered = await waitFor("deregistration", () => seen.register.find((r) => r.message_type === "DRIVER_NODE_DEREGISTER"), { timeoutMs: 30_000 });
  expect(deregistered.node_id).toBe("p1");
  expect(seen.events.map((e) => e.event)).toEqual(["TEST_ACCEPTED", "TEST_STARTED", "TEST_FINISHED"]);
});
