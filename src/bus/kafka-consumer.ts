import type { Consumer, Kafka } from "kafkajs";
import type { GuardedSubscription } from "./topic-guard.ts";
import { topicMaxMessageBytes } from "./topic-specs.ts";

/** One subscription, kept so its consumer can be re-created with the same group and start offsets. */
export interface KafkaSubscription extends GuardedSubscription {
  /** A per-bus group of its own (broadcast), deleted on close(); collect groups are shared and kept. */
  broadcast: boolean;
  fromBeginning: boolean;
  /** Per partition, offsets below this are from before subscribe() and are skipped. */
  startOffsets: Map<number, bigint>;
  /** Bumped by each resubscribe, so a restart scheduled for an older consumer does nothing. */
  generation: number;
  /** See SubscribeOptions.batchMs: a fetch waits this long for about 1 MB instead of returning with the first message. */
  batchMs?: number;
  eachMessage: (payload: { partition: number; message: { offset: string; value: Buffer | null } }) => Promise<void>;
  consumer: Consumer | null;
  /** Date.now() at the start of the consumer's last completed fetch (see `receivedThrough`). */
  lastFetchAt: number;
  fetchStartedAt: number;
  restarts: number;
}

/** What a batching subscription's fetch waits for (with `batchMs`): far more than a period of heartbeats. */
const BATCH_MIN_BYTES = 1024 * 1024;

/** What {@link startSubscriptionConsumer} needs beyond the subscription. */
export interface SubscriptionConsumerOptions {
  kafka: Kafka;
  /** The topic's full name. */
  topicName: string;
  maxWaitMs: number;
  /**
   * The consumer's group heartbeat interval. Broadcast groups have one member and never
   * rebalance after joining, so they beat less often than the shared collect groups.
   */
  heartbeatIntervalMs?: number;
  /** kafkajs reported a crash of `consumer`; `restart` is true when kafkajs restarts it itself. */
  onCrash(consumer: Consumer, error: Error, restart: boolean): void;
}

/** Creates, connects and runs a subscription's consumer; resolves once it has joined its group. */
export async function startSubscriptionConsumer(sub: KafkaSubscription, options: SubscriptionConsumerOptions): Promise<void> {
  // A topic with large messages (test_config) fetches a whole one per partition at once.
  const large = topicMaxMessageBytes(sub.topic);
  const consumer = options.kafka.consumer({
    ...(large !== null ? { maxBytesPerPartition: large, maxBytes: Math.max(large, 10 * 1024 * 1024) } : {}),
    groupId: sub.groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? 1_000,
    // A batching subscription's fetch waits for its period (or ~1 MB) rather than the first message.
    ...(sub.batchMs !== undefined ? { maxWaitTimeInMs: sub.batchMs, minBytes: BATCH_MIN_BYTES } : { maxWaitTimeInMs: options.maxWaitMs }),
    allowAutoTopicCreation: false,
  });
  sub.consumer = consumer;
  consumer.on(consumer.events.FETCH_START, () => {
    sub.fetchStartedAt = Date.now();
  });
  consumer.on(consumer.events.FETCH, () => {
    sub.lastFetchAt = sub.fetchStartedAt;
  });
  // What the group committed, so the guard can tell when the broker dropped it (a deleted topic).
  const name = options.topicName;
  consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
    if (sub.consumer !== consumer) return;
    for (const t of payload.topics) {
      if (t.topic !== name) continue;
      // kafkajs (2.2.4) gives the partition as a string here.
      for (const p of t.partitions) sub.committed.set(Number(p.partition), BigInt(p.offset));
    }
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => options.onCrash(consumer, payload.error, payload.restart));
  const joined = new Promise<void>((resolve) => {
    const off = consumer.on(consumer.events.GROUP_JOIN, () => {
      off();
      resolve();
    });
  });
  await consumer.connect();
  await consumer.subscribe({ topic: name, fromBeginning: sub.fromBeginning });
  await consumer.run({ eachMessage: sub.eachMessage });
  await joined;
  sub.restarts = 0;
  if (sub.consumer === consumer) sub.healing = false;
}
