/**
 * bun test preload: when KAFKA_BROKERS is unset and nothing answers on 127.0.0.1:9092
 * (KAFKA_HOST:KAFKA_PORT), starts the dev broker with scripts/kafka-up.sh, so a fresh
 * clone needs no setup.
 * A failed start does not abort the run: the reason goes to KAFKA_UP_ERROR, and
 * requireKafka() fails every Kafka test with it. LOADTEST_SKIP_BROKER=1 (set by
 * `bun run test:unit`) starts and probes nothing.
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KAFKA_UP_ERROR_ENV, localKafkaBroker, probeTcp } from "./helpers/kafka.ts";

/** Set to 1 to start no broker (the unit tier). */
const SKIP_BROKER_ENV = "LOADTEST_SKIP_BROKER";
const KAFKA_UP_SCRIPT = join(import.meta.dir, "..", "scripts", "kafka-up.sh");

/** Runs kafka-up.sh with its progress on our stderr; returns the failure reason, if any. */
async function startBroker(): Promise<string | undefined> {
  const errorFile = join(tmpdir(), `kafka-up-error-${process.pid}-${Date.now()}`);
  try {
    const result = Bun.spawnSync(["bash", KAFKA_UP_SCRIPT], {
      env: { ...process.env, KAFKA_UP_ERROR_FILE: errorFile },
      stdin: "ignore",
      stdout: "inherit",
      stderr: "inherit",
    });
    if (result.success) return undefined;
    const file = Bun.file(errorFile);
    const reason = (await file.exists()) ? (await file.text()).trim() : "";
    return reason || `exited with code ${result.exitCode ?? result.signalCode}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    rmSync(errorFile, { force: true });
  }
}

if (process.env[SKIP_BROKER_ENV] === "1" && process.env.KAFKA_BROKERS === undefined) {
  // The unit tier (`bun run test:unit`) needs no broker: a Kafka test run in it fails, saying so.
  process.env[KAFKA_UP_ERROR_ENV] = `not run, ${SKIP_BROKER_ENV}=1 (the unit tier): run this file with bun test or bun run test:integration`;
} else if (process.env.KAFKA_BROKERS === undefined) {
  const broker = localKafkaBroker();
  const answering = await probeTcp(broker, 500).then(
    () => true,
    () => false,
  );
  const reason = answering ? undefined : await startBroker();
  if (reason !== undefined) {
    process.env[KAFKA_UP_ERROR_ENV] = reason;
  }
  // Code under test and the processes it spawns read only KAFKA_BROKERS.
  if (process.env.KAFKA_HOST !== undefined || process.env.KAFKA_PORT !== undefined) {
    process.env.KAFKA_BROKERS = broker;
  }
}
