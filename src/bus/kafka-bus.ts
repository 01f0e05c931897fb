import { Kafka, Partitioners, logLevel as KafkaLogLevel, type Admin, type Consumer, type Producer } from "kafkajs";
import { decode, encode, TOPIC_KEYS, TOPIC_PARTITIONS, topicName, type MessageOf, type TopicKey } from "../protocol/index.ts";
import { silentLogger, type Logger } from "../log.ts";
import type { Bus, Handler, RejectListener, SubscribeOptions } from "./bus.ts";
import type { KafkaConnection } from "./kafka-config.ts";

export interface KafkaBusOptions {
  connection: KafkaConnection;
  log?: Logger;
  onReject?: RejectListener;
  /** How long a consumer's fetch waits for data; small keeps the metrics path fast. */
  maxWaitMs?: number;
}

/** Broadcast topics are small and short-lived: an hour of retention is plenty. */
const BROADCAST_RETENTION_MS = 3_600_000;

/** Maps kafkajs's log entries onto our logger, at warn and above. */
function kafkaLogCreator(log: Logger) {
  return () =>
    ({ level, log: entry }: { level: number; log: { message: string } & Record<string, unknown> }) => {
      const { message, timestamp: _t, logger: _l, ...rest } = entry;
      // "Response X" lines are retriable protocol answers (no leader yet, coordinator loading):
      // kafkajs retries them itself, so they are noise unless debugging.
      if (level <= KafkaLogLevel.ERROR && !message.startsWith("Response ")) log.warn(`kafka: ${message}`, rest);
      else log.debug(`kafka: ${message}`, rest);
    };
}

/** A {@link Bus} over Apache Kafka with kafkajs: idempotent producer, one consumer per subscription. */
export class KafkaBus implements Bus {
  private readonly kafka: Kafka;
  private producer?: Promise<Producer>;
  private topicsReady?: Promise<void>;
  private readonly consumers: Consumer[] = [];
  private readonly rejectedCounts: Record<string, number> = {};
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly options: KafkaBusOptions) {
    const { connection } = options;
    this.log = options.log ?? silentLogger;
    this.kafka = new Kafka({
      clientId: connection.clientId,
      brokers: connection.brokers,
      ssl: connection.ssl,
      sasl: connection.sasl,
      connectionTimeout: 3000,
      requestTimeout: 10000,
      retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
      logLevel: KafkaLogLevel.WARN,
      logCreator: kafkaLogCreator(this.log),
    });
  }

  private name(topic: TopicKey): string {
    return topicName(topic, this.options.connection.topicPrefix);
  }

  /** Creates the protocol's topics once (metrics and heartbeats with several partitions). */
  ensureTopics(): Promise<void> {
    this.topicsReady ??= (async () => {
      const admin: Admin = this.kafka.admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        const missing = TOPIC_KEYS.filter((key) => !existing.has(this.name(key)));
        if (missing.length > 0) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((key) => ({
              topic: this.name(key),
              numPartitions: TOPIC_PARTITIONS[key],
              configEntries:
                key === "test_config" || key === "trigger"
                  ? [{ name: "retention.ms", value: String(BROADCAST_RETENTION_MS) }]
                  : [],
            })),
          });
        }
      } finally {
        await admin.disconnect();
      }
    })().catch((err) => {
      this.topicsReady = undefined;
      throw err;
    });
    return this.topicsReady;
  }

  private getProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      await this.ensureTopics();
      const producer = this.kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      return producer;
    })().catch((err) => {
      this.producer = undefined;
      throw err;
    });
    return this.producer;
  }

  async publish<T extends TopicKey>(topic: T, message: MessageOf<T>, key?: string): Promise<void> {
    await this.publishRaw(topic, encode(topic, message), key);
  }

  async publishRaw(topic: TopicKey, raw: string | Uint8Array, key?: string): Promise<void> {
    if (this.closed) throw new Error("bus is closed");
    const producer = await this.getProducer();
    await producer.send({
      topic: this.name(topic),
      acks: -1,
      messages: [{ key: key ?? null, value: typeof raw === "string" ? raw : Buffer.from(raw) }],
    });
  }

  private reject(topic: TopicKey, error: string): void {
    this.rejectedCounts[topic] = (this.rejectedCounts[topic] ?? 0) + 1;
    this.options.onReject?.(topic, error);
  }

  async subscribe<T extends TopicKey>(topic: T, options: SubscribeOptions, handler: Handler<T>): Promise<void> {
    if (this.closed) throw new Error("bus is closed");
    await this.ensureTopics();
    const { connection } = this.options;
    const broadcast = options.mode.kind === "broadcast";
    const groupId = broadcast
      ? `${connection.topicPrefix}${connection.clientId}-${topic}-${crypto.randomUUID().slice(0, 8)}`
      : `${connection.topicPrefix}${options.mode.kind === "collect" ? options.mode.group : ""}-${topic}`;
    // Broadcast: a fresh group reads from the start but skips everything before the end
    // offsets seen now, so it misses nothing published after subscribe() and replays nothing before.
    const startOffsets = broadcast ? await this.endOffsets(topic) : new Map<number, bigint>();
    const consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: this.options.maxWaitMs ?? 100,
      allowAutoTopicCreation: false,
    });
    this.consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: this.name(topic), fromBeginning: broadcast });
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const start = startOffsets.get(partition);
        if (start !== undefined && BigInt(message.offset) < start) return;
        const decoded = decode(topic, message.value);
        if (!decoded.ok) return this.reject(topic, decoded.error);
        try {
          await handler(decoded.value);
        } catch (err) {
          this.reject(topic, `handler failed: ${(err as Error).message}`);
        }
      },
    });
    await joined;
  }

  private async endOffsets(topic: TopicKey): Promise<Map<number, bigint>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      // A topic created a moment ago by another node may not have a leader yet: retry briefly.
      for (let attempt = 0; ; attempt++) {
        try {
          const offsets = await admin.fetchTopicOffsets(this.name(topic));
          return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
        } catch (err) {
          if (attempt >= 50 || !(err as { retriable?: boolean }).retriable) throw err;
          await Bun.sleep(100);
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  rejected(): Record<string, number> {
    return { ...this.rejectedCounts };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const producer = this.producer;
    await Promise.allSettled([
      ...this.consumers.splice(0).map((c) => c.disconnect()),
      producer ? producer.then((p) => p.disconnect()) : Promise.resolve(),
    ]);
  }
}
