/**
 * Kafka's own security, proven end to end (issue 13, part 3): a broker of the test's own whose
 * client listener demands SASL/SCRAM-SHA-512, then one that speaks only TLS (certificates made
 * here with openssl). The orchestrator and two drivers connect with the documented settings
 * (KAFKA_SASL_*, KAFKA_SSL/KAFKA_SSL_CA) and run a test whose counts match the target's own;
 * a node with a wrong password, or without the CA, stops at start with a message naming the
 * settings to fix instead of waiting. Never the shared broker on 9092/9093.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Fleet } from "../helpers/fleet.ts";
import { uniqueTopicPrefix } from "../helpers/kafka.ts";
import { completedByDriver, startTest, targetMetrics, waitForAlive, waitForTestEnd } from "../helpers/orchestrator-client.ts";
import { startSecureBroker, type SecureBroker, type SecureKind } from "./helpers/secure-broker.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook. Each wait is bounded too.
setDefaultTimeout(240_000);

const COUNT = 50;

/** A node started with `env` exits by itself, non-zero, within the bound; returns its output. */
async function exitsWithError(fleet: Fleet, name: string, kind: "driver" | "orchestrator", env: Record<string, string>): Promise<{ code: number | null; output: string; ms: number }> {
  const started = performance.now();
  const node = kind === "driver" ? fleet.driver(name, [], env) : fleet.spawn("orchestrator", name, ["--port", "0", "--db", `${fleet.dir}/${name}.sqlite`], env);
  const code = await Promise.race([node.proc.exited, Bun.sleep(90_000).then(() => "still running" as const)]);
  if (code === "still running") throw new Error(`${name} was still running 90 s after start (a hang):\n${node.output().slice(-2000)}`);
  return { code, output: node.output(), ms: performance.now() - started };
}

for (const kind of ["sasl-scram", "tls"] as SecureKind[]) {
  describe(`a ${kind} broker`, () => {
    let broker: SecureBroker;
    let fleet: Fleet;

    beforeAll(async () => {
      broker = await startSecureBroker(kind);
      fleet = new Fleet({ brokers: [broker.address], topicPrefix: uniqueTopicPrefix(`fault-${kind}`), env: { ...broker.clientEnv, KAFKA_WAIT_S: "60" } });
    });

    afterAll(async () => {
      await fleet?.stop();
      await broker?.destroy();
    });

    test("the orchestrator and two drivers connect with the documented settings and run a test, counts exact", async () => {
      const target = await fleet.target();
      const orchestrator = await fleet.orchestrator("orchestrator", ["--target", `${target.url}/ping`, "--allow-target", "127.0.0.1"]);
      const ids = [`${kind}-1`, `${kind}-2`];
      for (const id of ids) fleet.driver(id);
      await waitForAlive(orchestrator.url, ids, 90_000);
      const created = await startTest(orchestrator.url, { test_type: "TSUNAMI", test_message_delay: 10, message_count_per_driver: COUNT });
      const ended = await waitForTestEnd(orchestrator.url, created.test_id, 120_000);
      const seen = await targetMetrics(target.url);
      expect({ state: ended.state, completed: completedByDriver(ended), target: seen.ping.received }).toEqual({
        state: "done",
        completed: Object.fromEntries(ids.map((id) => [id, COUNT])),
        target: COUNT * ids.length,
      });
    });

    test("a node with the wrong credentials stops at start with a message naming the settings, not a hang", async () => {
      const wrong: Record<string, string> = kind === "sasl-scram" ? { KAFKA_SASL_PASSWORD: "not-the-password" } : { KAFKA_SSL_CA: "", KAFKA_SSL: "true" };
      const expected = kind === "sasl-scram" ? "check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD" : "give the CA that signed it with KAFKA_SSL_CA";
      const driver = await exitsWithError(fleet, `${kind}-wrong-driver`, "driver", wrong);
      const orchestrator = await exitsWithError(fleet, `${kind}-wrong-orchestrator`, "orchestrator", wrong);
      for (const [name, result] of Object.entries({ driver, orchestrator })) {
        expect({ name, code: result.code, says: result.output.includes(expected) }).toEqual({ name, code: 1, says: true });
      }
    });
  });
}
