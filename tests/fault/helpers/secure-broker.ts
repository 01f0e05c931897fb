/**
 * A Kafka broker of a test's own that demands security on its client listener: SASL/SCRAM-
 * SHA-512 (users created at format time) or TLS (a CA and a server certificate for 127.0.0.1
 * made here with openssl). Free ports, state in a temp folder, the shared broker's jars; never
 * the shared broker on 9092/9093. Inter-broker and controller traffic stay on loopback
 * PLAINTEXT listeners of its own (one node: nothing crosses a network).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { Kafka, logLevel, type KafkaConfig } from "kafkajs";
import { waitFor } from "../../helpers/wait.ts";
import { freePort, SHARED_KAFKA_LIBS } from "./kafka-home.ts";

const ROOT = join(import.meta.dir, "..", "..", "..");
const READY_TIMEOUT_MS = 120_000;

/** Which protection the client listener has. */
export type SecureKind = "sasl-scram" | "tls";

export interface SecureBroker {
  kind: SecureKind;
  /** host:port of the secured client listener. */
  address: string;
  homeDir: string;
  /** Environment that lets a node connect (KAFKA_SASL_* or KAFKA_SSL_CA), as a user would set it. */
  clientEnv: Record<string, string>;
  /** Stops the broker and removes its folder; never throws (for afterAll). */
  destroy(): Promise<void>;
}

/** SCRAM user the nodes log in as (SASL broker). */
export const SCRAM_USER = { name: "loadtest", password: `pw-${crypto.randomUUID()}` };

function run(cmd: string[], cwd: string): void {
  const result = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe", timeout: 60_000 });
  if (result.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed (${result.exitCode}): ${result.stderr.toString().slice(-2000)}`);
}

/** A CA and a server certificate for IP 127.0.0.1 signed by it, as PEM files in `dir`. */
function makeCertificates(dir: string): { ca: string; chain: string; key: string } {
  run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=loadtest test CA", "-keyout", "ca.key", "-out", "ca.pem"], dir);
  run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr"], dir);
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  run(["openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.pem"], dir);
  // Kafka's PEM keystore wants a PKCS#8 key.
  run(["openssl", "pkcs8", "-topk8", "-nocrypt", "-in", "server.key", "-out", "server.pk8"], dir);
  return { ca: join(dir, "ca.pem"), chain: readFileSync(join(dir, "server.pem"), "utf8"), key: readFileSync(join(dir, "server.pk8"), "utf8") };
}

/** A properties value on one line (PEM blocks have their newlines escaped). */
const oneLine = (pem: string) => pem.trim().replace(/\n/g, "\\n");

/** Starts a broker whose client listener needs `kind`; resolves once an authenticated client gets metadata and group offsets. */
export async function startSecureBroker(kind: SecureKind): Promise<SecureBroker> {
  const homeDir = mkdtempSync(join(tmpdir(), `lt-${kind}-kafka-`));
  const [clientPort, internalPort, controllerPort] = [await freePort(), await freePort(), await freePort()];
  const client = kind === "tls" ? "SSL" : "SASL_PLAINTEXT";
  const lines = [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=CLIENT://127.0.0.1:${clientPort},INTERNAL://127.0.0.1:${internalPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=CLIENT://127.0.0.1:${clientPort},INTERNAL://127.0.0.1:${internalPort}`,
    "controller.listener.names=CONTROLLER",
    `listener.security.protocol.map=CLIENT:${client},INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT`,
    "inter.broker.listener.name=INTERNAL",
    `log.dirs=${join(homeDir, "data")}`,
    "num.partitions=1",
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=1",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
    "group.initial.rebalance.delay.ms=0",
  ];
  const clientEnv: Record<string, string> = { KAFKA_BROKERS: `127.0.0.1:${clientPort}` };
  let kafkajs: Partial<KafkaConfig>;
  if (kind === "sasl-scram") {
    lines.push(
      "sasl.enabled.mechanisms=SCRAM-SHA-512",
      "listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512",
      "listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
    );
    Object.assign(clientEnv, { KAFKA_SASL_MECHANISM: "scram-sha-512", KAFKA_SASL_USERNAME: SCRAM_USER.name, KAFKA_SASL_PASSWORD: SCRAM_USER.password });
    kafkajs = { sasl: { mechanism: "scram-sha-512", username: SCRAM_USER.name, password: SCRAM_USER.password } };
  } else {
    const certs = makeCertificates(homeDir);
    lines.push("listener.name.client.ssl.keystore.type=PEM", `listener.name.client.ssl.keystore.certificate.chain=${oneLine(certs.chain)}`, `listener.name.client.ssl.keystore.key=${oneLine(certs.key)}`);
    Object.assign(clientEnv, { KAFKA_SSL: "true", KAFKA_SSL_CA: certs.ca });
    kafkajs = { ssl: { ca: [readFileSync(certs.ca, "utf8")] } };
  }
  const config = join(homeDir, "server.properties");
  writeFileSync(config, lines.join("\n") + "\n");
  const classpath = `${SHARED_KAFKA_LIBS}/*`;
  const format = ["java", "-cp", classpath, "kafka.tools.StorageTool", "format", "-t", "lt-secure-test-clusterA", "-c", config];
  if (kind === "sasl-scram") format.push("--add-scram", `SCRAM-SHA-512=[name=${SCRAM_USER.name},password=${SCRAM_USER.password}]`);
  let proc: Subprocess | undefined;
  const broker: SecureBroker = {
    kind,
    address: clientEnv.KAFKA_BROKERS!,
    homeDir,
    clientEnv,
    async destroy() {
      if (proc && proc.exitCode === null) {
        proc.kill("SIGTERM");
        const timer = setTimeout(() => proc?.kill("SIGKILL"), 20_000);
        await proc.exited;
        clearTimeout(timer);
      }
      rmSync(homeDir, { recursive: true, force: true });
    },
  };
  try {
    run(format, homeDir);
    proc = Bun.spawn(["java", "-Xms128m", "-Xmx384m", "-XX:+UseG1GC", "-Djava.awt.headless=true", `-Dlog4j2.configurationFile=${join(ROOT, "scripts", "kafka-log4j2.yaml")}`, `-Dkafka.logs.dir=${join(homeDir, "logs")}`, "-cp", classpath, "kafka.Kafka", config], {
      cwd: homeDir,
      stdin: "ignore",
      stdout: Bun.file(join(homeDir, "stdout.log")),
      stderr: Bun.file(join(homeDir, "stdout.log")),
    });
    const admin = new Kafka({ clientId: "secure-broker-ready", brokers: [broker.address], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 3_000, ...kafkajs }).admin();
    await waitFor(
      `the ${kind} broker on ${broker.address} to serve metadata`,
      async () => {
        if (proc!.exitCode !== null) throw new Error(`broker exited (${proc!.exitCode}): ${readFileSync(join(homeDir, "stdout.log"), "utf8").slice(-3000)}`);
        try {
          await admin.connect();
          if (!(await admin.listTopics()).includes("__ready")) {
            await admin.createTopics({ topics: [{ topic: "__ready", numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
          }
          // As scripts/kafka-ready.ts: ready once the group coordinator serves a group (a node's
          // first subscribe fetches a group's offsets, which fails while __consumer_offsets loads).
          await admin.describeGroups(["__ready"]);
          await admin.fetchOffsets({ groupId: "__ready", topics: ["__ready"] });
          return true;
        } finally {
          await admin.disconnect().catch(() => {});
        }
      },
      { timeoutMs: READY_TIMEOUT_MS, intervalMs: 500 },
    );
  } catch (err) {
    await broker.destroy();
    throw err;
  }
  return broker;
}
