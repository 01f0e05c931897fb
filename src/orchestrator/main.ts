// Entry point: `bun src/orchestrator/main.ts [flags]`; see `--help`. Only wiring lives here.
import { KafkaBus, kafkaWaitFromEnv, throttledRejectLog, waitForKafka } from "../bus/index.ts";
import { flagsOrExit } from "../cli-flags.ts";
import { createLogger } from "../log.ts";
import { ORCHESTRATOR_COMMAND, resolveConfig } from "./cli.ts";
import { systemClock } from "./clock.ts";
import { createApp } from "./http/app.ts";
import { closeEventStreams } from "./http/sse.ts";
import { createOrchestrator } from "./orchestrator.ts";
import { openSqliteStore } from "./sqlite-store.ts";
import { createOrchestratorTrustBus } from "../security/orchestrator-trust-bus.ts";
import { loadOrchestratorTrust } from "../security/orchestrator-trust.ts";

/** Idle seconds before Bun closes a connection; long enough for the SSE streams built on the event hub. */
const IDLE_TIMEOUT_S = 120;

const { values } = flagsOrExit(ORCHESTRATOR_COMMAND);
const resolved = resolveConfig(values, process.env);
if (!resolved.ok) {
  for (const error of resolved.errors) console.error(`orchestrator: ${error}`);
  console.error("Run 'orchestrator --help' for usage.");
  process.exit(2);
}
const config = resolved.config;
const log = createLogger({ name: "orchestrator" });

const trust = await loadOrchestratorTrust(config, log).catch((err: Error) => {
  console.error(`orchestrator: ${err.message}`);
  process.exit(2);
});
const store = openSqliteStore(config.db);
const kafkaBus = new KafkaBus({
  connection: config.kafka,
  log,
  onReject: throttledRejectLog(log),
});
const bus = createOrchestratorTrustBus({ bus: kafkaBus, log, ...trust });
const orchestrator = createOrchestrator({
  bus,
  store,
  clock: systemClock,
  log,
  options: { deadAfterMs: config.deadAfterMs, heartbeatIntervalMs: config.heartbeatIntervalMs, busDegradedFailMs: config.busDegradedFailMs, forgetDeadAfterMs: config.forgetDeadAfterMs, clockWarnMs: config.clockWarnMs, summaryQuietMs: config.summaryQuietMs, retainRawMs: config.retainRawMs, snapshotEveryMs: config.snapshotEveryMs },
});

try {
  await waitForKafka(() => kafkaBus.ensureTopics(), { brokers: config.kafka.brokers, log, waitS: kafkaWaitFromEnv() });
  await orchestrator.start();
} catch (err) {
  log.error("cannot start: is Kafka reachable?", { brokers: config.kafka.brokers, error: (err as Error).message });
  await bus.close();
  store.close();
  process.exit(1);
}

const app = createApp(orchestrator, { defaultTarget: config.target, allowTargets: config.allowTargets, token: config.token, log, securityCounts: () => trust.counters.read() });
const server = Bun.serve({ fetch: app.fetch, port: config.port, hostname: config.host, idleTimeout: IDLE_TIMEOUT_S });
if (!config.token && !["127.0.0.1", "localhost", "::1"].includes(config.host)) {
  log.warn("ORCHESTRATOR_TOKEN is not set: anyone who can reach this port can start tests", { host: config.host });
}
log.info("orchestrator ready", { brokers: config.kafka.brokers, topic_prefix: config.kafka.topicPrefix, db: config.db, allow_targets: config.allowTargets });
// Tests parse this line; with --port 0 it carries the port the OS picked.
console.log(`orchestrator listening on http://${server.hostname}:${server.port}`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info("shutting down", { signal });
  closeEventStreams(orchestrator);
  await server.stop();
  orchestrator.stop();
  await bus.close();
  store.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
