import { KafkaBus, kafkaConnectionFromEnv, kafkaWaitFromEnv, throttledRejectLog, waitForKafka, type KafkaConnection } from "../bus/index.ts";
import { flagsOrExit, VERSION } from "../cli-flags.ts";
import { createLogger } from "../log.ts";
import { validate } from "../protocol/index.ts";
import { systemClock } from "./clock.ts";
import { createDriver } from "./driver.ts";
import { DRIVER_COMMAND } from "./flags.ts";
import { DRIVER_TOPIC_CHECK_MS } from "./defaults.ts";
import { openHttp1Pool } from "./http1-pool.ts";
import { LATENCY_DUMP_ENV } from "./latency-dump.ts";
import { defaultNodeId, resolveNodeIp } from "./node-address.ts";
import { loadDriverTrust } from "../security/driver-trust.ts";
import { createDriverTrustBus } from "../security/driver-trust-bus.ts";
import { availableParallelism } from "node:os";
import { parseWorkers } from "./worker-split.ts";

/** Wiring only: flags and environment in, real bus, clock, fetch and the HTTP/1.1 pool into createDriver. */
const { values } = flagsOrExit(DRIVER_COMMAND);
const env = process.env;
const nodeId = values["node-id"] ?? env.NODE_ID ?? defaultNodeId();
const log = createLogger({ name: "driver" });

const idCheck = validate("heartbeat", { node_id: nodeId, heartbeat: "YES", timestamp: 0 });
if (!idCheck.ok) {
  process.stderr.write(`driver: bad --node-id "${nodeId}": ${idCheck.issues.map((i) => i.message).join("; ")}\n`);
  process.exit(2);
}

function connectionOrExit(): KafkaConnection {
  try {
    return kafkaConnectionFromEnv(`driver-${nodeId}`, { brokers: values.brokers, topicPrefix: values["topic-prefix"] }, env);
  } catch (err) {
    process.stderr.write(`driver: ${(err as Error).message}\n`);
    process.exit(2);
  }
}

const httpClient = values["http-client"] ?? env.HTTP_CLIENT ?? "auto";
if (httpClient !== "auto" && httpClient !== "fetch") {
  process.stderr.write(`driver: --http-client must be auto or fetch, got "${httpClient}"\n`);
  process.exit(2);
}

const maxBodyRaw = values["max-body-bytes"] ?? env.MAX_BODY_BYTES;
const maxBodyBytes = maxBodyRaw === undefined ? undefined : Number(maxBodyRaw);
if (maxBodyBytes !== undefined && (maxBodyRaw!.trim() === "" || !Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1)) {
  process.stderr.write(`driver: --max-body-bytes must be a whole number of bytes of at least 1, got "${maxBodyRaw}"\n`);
  process.exit(2);
}

const workers = parseWorkers(values.workers ?? env.DRIVER_WORKERS, navigator.hardwareConcurrency || availableParallelism());
if (typeof workers === "string") {
  process.stderr.write(`driver: ${workers}\n`);
  process.exit(2);
}
const clockCorrectionEnv = env.CLOCK_CORRECTION?.trim().toLowerCase();
if (clockCorrectionEnv !== undefined && clockCorrectionEnv !== "" && clockCorrectionEnv !== "on" && clockCorrectionEnv !== "off") {
  process.stderr.write(`driver: CLOCK_CORRECTION must be on or off, got "${env.CLOCK_CORRECTION}"\n`);
  process.exit(2);
}
const clockCorrection = !(values["no-clock-correction"] ?? false) && clockCorrectionEnv !== "off";

const trust = await loadDriverTrust(values, env, log).catch((err: Error) => {
  process.stderr.write(`driver: ${err.message}\n`);
  process.exit(2);
});

const connection = connectionOrExit();
const nodeIp = await resolveNodeIp(connection.brokers, values["advertise-ip"] ?? env.NODE_IP);
const kafkaBus = new KafkaBus({ connection, log, onReject: throttledRejectLog(log), topicCheckMs: DRIVER_TOPIC_CHECK_MS });
const bus = createDriverTrustBus({ bus: kafkaBus, nodeId, log: log.child({ node_id: nodeId }), ...trust });
const driver = createDriver({
  bus,
  nodeId,
  nodeIp,
  clock: systemClock,
  fetch,
  // http and https targets go through our keep-alive pool (Bun 1.4's fetch parks only 64 idle
  // sockets, so more in flight churns connections); --http-client fetch through fetch.
  ...(httpClient === "auto" ? { openHttp: openHttp1Pool } : {}),
  log,
  version: VERSION,
  ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
  ...(workers > 1 ? { workers } : {}),
  clockCorrection,
  ...(env[LATENCY_DUMP_ENV] ? { latencyDumpDir: env[LATENCY_DUMP_ENV] } : {}),
  // The younger of two live drivers with one node_id exits (status 3) with the reason.
  onTwin: (message) => {
    process.stderr.write(`driver: ${message}\n`);
    void shutdown("twin", TWIN_EXIT_CODE);
  },
});

/** Exit status of a driver that found an older live driver with its node_id. */
const TWIN_EXIT_CODE = 3;

let stopping = false;
const stopSignal = new AbortController();
async function shutdown(signal: string, exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  stopSignal.abort();
  log.info("shutting down", { signal });
  await driver.stop();
  await bus.close();
  process.exit(exitCode);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

try {
  await waitForKafka(() => kafkaBus.ensureTopics(), { brokers: connection.brokers, log, waitS: kafkaWaitFromEnv(), signal: stopSignal.signal });
  await driver.start();
  log.info("driver ready", { brokers: connection.brokers, topic_prefix: connection.topicPrefix, node_IP: nodeIp, version: VERSION, ...(workers > 1 ? { workers } : {}) });
} catch (err) {
  if (stopping) await new Promise(() => {}); // shutdown() is already exiting
  log.error("driver failed to start", { error: (err as Error).message });
  await bus.close();
  process.exit(1);
}
