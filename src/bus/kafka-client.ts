import { Kafka, logLevel as KafkaLogLevel } from "kafkajs";
import type { Logger } from "../log.ts";
import type { KafkaConnection } from "./kafka-config.ts";

/** kafkajs log lines repeated on every retry while the broker is away: debug, not warn. */
const RETRY_NOISE = /^(Response |Connection error|Failed to connect to seed broker|Connection timeout)/;

/**
 * kafkajs log lines repeated while a topic is missing or after it was recreated (a consumer
 * crash-looping every few seconds, offset resets): debug, the topic guard logs each change once.
 */
const TOPIC_NOISE = /^(Crash: .*does not host this topic-partition|Restarting the consumer in|Offset out of range, resetting)/;

/** Maps kafkajs's log entries onto our logger, at warn and above. */
function kafkaLogCreator(log: Logger) {
  return () =>
    ({ level, log: entry }: { level: number; log: { message: string } & Record<string, unknown> }) => {
      const { message, timestamp: _t, logger: _l, ...rest } = entry;
      // "Response X" lines are retriable protocol answers (no leader yet, coordinator loading):
      // kafkajs retries them itself, so they are noise unless debugging.
      // Connection errors repeat on every retry while the broker is away; the bus and the
      // outbox log the outage once instead.
      if (level <= KafkaLogLevel.ERROR && !RETRY_NOISE.test(message) && !TOPIC_NOISE.test(message)) log.warn(`kafka: ${message}`, rest);
      else log.debug(`kafka: ${message}`, rest);
    };
}

/** The kafkajs client a {@link KafkaBus} uses: its timeouts, retries and quiet logging. */
export function createKafkaClient(connection: KafkaConnection, log: Logger): Kafka {
  return new Kafka({
    clientId: connection.clientId,
    brokers: connection.brokers,
    ssl: connection.ssl,
    sasl: connection.sasl,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
    logLevel: KafkaLogLevel.WARN,
    logCreator: kafkaLogCreator(log),
  });
}
