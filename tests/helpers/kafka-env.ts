import { parseBrokers, DEFAULT_BROKERS } from "../../src/bus/kafka-config.ts";

/** A topic prefix no other test run shares, so tests on one broker never see each other's messages. */
export function uniquePrefix(name: string): string {
  return `t-${name}-${crypto.randomUUID().slice(0, 8)}-`;
}

/**
 * The brokers tests use (KAFKA_BROKERS or 127.0.0.1:9092), after checking one answers a TCP
 * connect. A test that needs Kafka and cannot reach it fails with the reason: it never skips.
 */
export async function kafkaTestBrokers(): Promise<string[]> {
  const brokers = parseBrokers(process.env.KAFKA_BROKERS ?? DEFAULT_BROKERS);
  const reason = (globalThis as { __kafkaUnavailable?: string }).__kafkaUnavailable;
  const [host, port] = brokers[0]!.split(/:(?=\d+$)/);
  try {
    const socket = await Bun.connect({ hostname: host!.replace(/^\[|\]$/g, ""), port: Number(port), socket: { data() {} } });
    socket.end();
  } catch (err) {
    throw new Error(`Kafka is not reachable at ${brokers.join(",")}: ${(err as Error).message}${reason ? ` (${reason})` : ""}. Start it with 'bun run kafka:up'.`);
  }
  return brokers;
}
