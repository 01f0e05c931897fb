/**
 * Readiness probe for the dev/CI broker or cluster: exits 0 once the cluster answers
 * metadata with every expected broker registered, `__ready` has a leader (replicated on up
 * to 3 brokers), and the group coordinator can serve a group.
 *
 * Env: KAFKA_BROKERS (default 127.0.0.1:9092), KAFKA_READY_TIMEOUT_MS (default 60000),
 * KAFKA_PID (optional, comma-separated; exit 2 as soon as one of those processes is gone),
 * KAFKA_EXPECT_BROKERS (default 1; brokers that must be registered).
 * Exit codes: 0 ready, 1 timed out (last error on stderr), 2 broker process exited.
 */
import { readFileSync } from "node:fs";
import { Kafka, logLevel } from "kafkajs";

const READY_TOPIC = "__ready";
const READY_GROUP = "__ready";
const RETRY_INTERVAL_MS = 250;

const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const timeoutMs = Number(process.env.KAFKA_READY_TIMEOUT_MS ?? 60_000);
const pids = (process.env.KAFKA_PID ?? "").split(",").filter((p) => p !== "").map(Number);
const expectBrokers = Number(process.env.KAFKA_EXPECT_BROKERS ?? 1);

/** True while the process exists and is not a zombie (which kill(pid, 0) accepts). */
function isAlive(processId: number): boolean {
  try {
    const stat = readFileSync(`/proc/${processId}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** A client that bootstraps from `seeds` only. */
const client = (seeds: string[]) =>
  new Kafka({ clientId: "kafka-ready", brokers: seeds, logLevel: logLevel.NOTHING, connectionTimeout: 1_000, requestTimeout: 5_000, retry: { retries: 0 } });

/**
 * Each broker answers metadata on its own listener and sees the expected number of brokers.
 * Asking each one (not just the cluster) keeps a restarted node from being taken as up while
 * the controller still lists its previous, killed registration.
 */
async function probeEach(): Promise<void> {
  for (const seed of brokers) {
    const admin = client([seed]).admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      const { brokers: registered } = await admin.describeCluster();
      if (registered.length < expectBrokers) {
        throw new Error(`${seed} sees ${registered.length} of ${expectBrokers} brokers (node ids ${registered.map((b) => b.nodeId).join(",")})`);
      }
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}

/** One attempt; throws with the reason the broker is not ready yet. */
async function probe(kafka: Kafka): Promise<void> {
  await probeEach();
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const topics = await admin.listTopics();
    if (!topics.includes(READY_TOPIC)) {
      await admin.createTopics({
        topics: [{ topic: READY_TOPIC, numPartitions: 1, replicationFactor: Math.min(expectBrokers, 3) }],
        waitForLeaders: true,
      });
    }
    // Finding the coordinator creates __consumer_offsets; until its partition is
    // loaded, kafkajs 2.2.4 clients fail with "The group coordinator is not available".
    await admin.describeGroups([READY_GROUP]);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

const kafka = client(brokers);

const deadline = Date.now() + timeoutMs;
let lastError = "no attempt made";
while (Date.now() < deadline) {
  const gone = pids.find((pid) => !isAlive(pid));
  if (gone !== undefined) {
    console.error(`kafka-ready: broker process ${gone} exited`);
    process.exit(2);
  }
  try {
    await probe(kafka);
    process.exit(0);
  } catch (error) {
    lastError = error instanceof Error ? error.message : String(error);
  }
  await Bun.sleep(RETRY_INTERVAL_MS);
}
console.error(`kafka-ready: ${brokers.join(",")} not ready after ${timeoutMs} ms: ${lastError}`);
process.exit(1);
