/** Access to the real Kafka broker for tests; tests/preload.ts starts it when needed. */
import { createConnection } from "node:net";

/**
 * Where scripts/kafka-up.sh listens: KAFKA_HOST:KAFKA_PORT, default 127.0.0.1:9092.
 * Used when KAFKA_BROKERS is unset.
 */
export function localKafkaBroker(): string {
  return `${process.env.KAFKA_HOST ?? "127.0.0.1"}:${process.env.KAFKA_PORT ?? "9092"}`;
}

/** Env var in which tests/preload.ts records why scripts/kafka-up.sh failed. */
export const KAFKA_UP_ERROR_ENV = "KAFKA_UP_ERROR";

const PROBE_TIMEOUT_MS = 1_000;

/** Brokers from KAFKA_BROKERS (comma-separated host:port), else [localKafkaBroker()]. */
export function kafkaBrokers(): string[] {
  const brokers = (process.env.KAFKA_BROKERS ?? "")
    .split(",")
    .map((broker) => broker.trim())
    .filter((broker) => broker !== "");
  return brokers.length > 0 ? brokers : [localKafkaBroker()];
}

/** Resolves once a TCP connection to `host:port` opens; rejects with the reason otherwise. */
export function probeTcp(broker: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const separator = broker.lastIndexOf(":");
  const host = broker.slice(0, separator);
  const port = Number(broker.slice(separator + 1));
  if (separator <= 0 || !Number.isInteger(port)) {
    return Promise.reject(new Error(`"${broker}" is not host:port`));
  }
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no TCP answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

/**
 * Returns the brokers when one of them accepts connections; otherwise throws an Error
 * saying why (including a failed autostart), so Kafka tests fail instead of skipping.
 */
export async function requireKafka(): Promise<string[]> {
  const brokers = kafkaBrokers();
  const reasons: string[] = [];
  for (const broker of brokers) {
    try {
      await probeTcp(broker);
      return brokers;
    } catch (error) {
      reasons.push(`${broker}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const upError = process.env[KAFKA_UP_ERROR_ENV];
  if (upError) reasons.push(`scripts/kafka-up.sh failed: ${upError}`);
  throw new Error(
    `Kafka is not reachable at ${brokers.join(",")}: ${reasons.join("; ")}; run \`bun run kafka:up\``,
  );
}

/** A topic/group prefix like `t-<name>-<random>-`, so tests sharing a broker stay apart. */
export function uniqueTopicPrefix(name: string): string {
  const slug = name.replace(/[^a-zA-Z0-9._-]+/g, "-").slice(0, 60);
  const random = crypto.randomUUID().slice(0, 8);
  return `t-${slug}-${Date.now().toString(36)}${random}-`;
}
