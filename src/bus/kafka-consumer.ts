import type { Consumer, Kafka } from "kafkajs";
import type { TopicKey } from "../protocol/index.ts";
import type { GuardedSubscription } from "./topic-guard.ts";
import { topicMaxMessageBytes } from "./topic-specs.ts";

/** A message as kafkajs hands it to a subscription. */
export interface KafkaRecord {
  offset: string;
  value: Buffer | null;
}

/** One topic of a {@link KafkaConsumerSlot}: what the topic guard reads and sets, and where its messages go. */
export interface KafkaTopicSub extends GuardedSubscription {
  /** The topic's full name (with the prefix). */
  name: string;
  /** Per partition, offsets below this are from before subscribe() (or already delivered) and are skipped. */
  startOffsets: Map<number, bigint>;
  /** Set by a resubscribe: the recreated topic's first offsets, applied when the slot's next consumer starts. */
  resetTo: Map<number, bigint> | null;
  /** Decodes and hands one fetched message to the topic's handler. */
  deliver(partition: number, message: KafkaRecord): Promise<void>;
  readonly slot: KafkaConsumerSlot;
}

/**
 * One kafkajs consumer and its group, reading one or more topics (a `subscribeAll`), kept so
 * the consumer can be re-created with the same group and start offsets (a crash) or a fresh
 * group and reset offsets (a recreated topic).
 */
export interface KafkaConsumerSlot {
  /** A per-bus group of its own (broadcast), deleted on close(); collect groups are shared and kept. */
  groupId: string;
  broadcast: boolean;
  /** See SubscribeOptions.batchMs: a fetch waits this long for about 1 MB instead of returning with the first message. */
  batchMs?: number;
  topics: KafkaTopicSub[];
  consumer: Consumer | null;
  /** Bumped by each resubscribe, so a restart scheduled for an older consumer does nothing. */
  generation: number;
  /** The disconnects of the consumers this slot replaced, awaited before the next one starts. */
  retiring: Promise<void>;
  /** Date.now() at the start of the consumer's last completed fetch (see `receivedThrough`). */
  lastFetchAt: number;
  fetchStartedAt: number;
  restarts: number;
}

/** An empty slot for `topics` (added with {@link addTopic}). */
export function newSlot(groupId: string, broadcast: boolean, batchMs: number | undefined): KafkaConsumerSlot {
  const now = Date.now();
  return { groupId, broadcast, ...(batchMs !== undefined ? { batchMs } : {}), topics: [], consumer: null, generation: 0, retiring: Promise.resolve(), lastFetchAt: now, fetchStartedAt: now, restarts: 0 };
}

/** What a topic of a slot starts with and how its messages are delivered. */
export interface TopicSubInit {
  topic: TopicKey;
  name: string;
  startOffsets: Map<number, bigint>;
  passed: Map<number, bigint>;
  deliver(sub: KafkaTopicSub, partition: number, message: KafkaRecord): Promise<void>;
}

/** Adds a topic to `slot`; its `groupId` is the slot's, whatever group the slot moves to. */
export function addTopic(slot: KafkaConsumerSlot, init: TopicSubInit): KafkaTopicSub {
  const sub: KafkaTopicSub = {
    topic: init.topic,
    name: init.name,
    get groupId() {
      return slot.groupId;
    },
    startOffsets: init.startOffsets,
    passed: init.passed,
    committed: new Map(),
    lost: false,
    healing: false,
    resetTo: null,
    slot,
    deliver: (partition, message) => init.deliver(sub, partition, message),
  };
  slot.topics.push(sub);
  return sub;
}

/** Takes the slot's consumer out of service: it disconnects in the background, before the next one starts. */
export function retireConsumer(slot: KafkaConsumerSlot): void {
  const old = slot.consumer;
  slot.consumer = null;
  if (old) slot.retiring = slot.retiring.then(() => old.disconnect().catch(() => {}));
}

/**
 * Applies the resets a resubscribe left on the slot's topics, before its next consumer starts: a
 * recreated topic is read from the first offsets of the new topic (everything in it delivered). A
 * broadcast slot moves to a fresh group (returns the old one, to delete on close): it starts with
 * nothing committed, so its other topics skip what they had already passed and lose nothing.
 * A collect group keeps its name: the broker dropped its offsets with the deleted topic, and its
 * other topics resume from their committed offsets.
 */
export function applyResets(slot: KafkaConsumerSlot): string | null {
  const resetting = slot.topics.some((t) => t.resetTo !== null);
  if (!resetting) return null;
  const retired = slot.broadcast ? slot.groupId : null;
  if (retired !== null) slot.groupId = `${retired.replace(/-[0-9a-f]{8}$/, "")}-${crypto.randomUUID().slice(0, 8)}`;
  for (const t of slot.topics) {
    if (t.resetTo !== null) {
      t.startOffsets = new Map();
      t.passed = new Map(t.resetTo);
      t.committed = new Map();
      t.resetTo = null;
    } else if (retired !== null) {
      t.startOffsets = new Map(t.passed);
      t.committed = new Map();
    }
  }
  return retired;
}

/** What a batching slot's fetch waits for (with `batchMs`): far more than a period of heartbeats. */
const BATCH_MIN_BYTES = 1024 * 1024;

/** What {@link startSlotConsumer} needs beyond the slot. */
export interface SlotConsumerOptions {
  kafka: Kafka;
  maxWaitMs: number;
  /**
   * The consumer's group heartbeat interval. Broadcast groups have one member and never
   * rebalance after joining, so they beat less often than the shared collect groups.
   */
  heartbeatIntervalMs?: number;
  /** kafkajs reported a crash of `consumer`; `restart` is true when kafkajs restarts it itself. */
  onCrash(consumer: Consumer, error: Error, restart: boolean): void;
}

/** Creates, connects and runs a slot's consumer on all its topics; resolves once it has joined its group. */
export async function startSlotConsumer(slot: KafkaConsumerSlot, options: SlotConsumerOptions): Promise<void> {
  // A topic with large messages (test_config) fetches a whole one per partition at once.
  const large = Math.max(0, ...slot.topics.map((t) => topicMaxMessageBytes(t.topic) ?? 0));
  const consumer = options.kafka.consumer({
    ...(large > 0 ? { maxBytesPerPartition: large, maxBytes: Math.max(large, 10 * 1024 * 1024) } : {}),
    groupId: slot.groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? 1_000,
    // A batching subscription's fetch waits for its period (or ~1 MB) rather than the first message.
    ...(slot.batchMs !== undefined ? { maxWaitTimeInMs: slot.batchMs, minBytes: BATCH_MIN_BYTES } : { maxWaitTimeInMs: options.maxWaitMs }),
    allowAutoTopicCreation: false,
  });
  slot.consumer = consumer;
  const byName = new Map(slot.topics.map((t) => [t.name, t]));
  consumer.on(consumer.events.FETCH_START, () => {
    slot.fetchStartedAt = Date.now();
  });
  consumer.on(consumer.events.FETCH, () => {
    slot.lastFetchAt = slot.fetchStartedAt;
  });
  // What the group committed, so the guard can tell when the broker dropped it (a deleted topic).
  consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
    if (slot.consumer !== consumer) return;
    for (const t of payload.topics) {
      const sub = byName.get(t.topic);
      if (!sub) continue;
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
  await consumer.subscribe({ topics: [...byName.keys()], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ topic, partition, message }) => byName.get(topic)?.deliver(partition, message) });
  await joined;
  slot.restarts = 0;
  if (slot.consumer === consumer) for (const t of slot.topics) t.healing = false;
}
