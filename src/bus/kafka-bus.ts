import type { Kafka } from "kafkajs";
import { decode, encode, topicName, type MessageOf, type TopicKey } from "../protocol/index.ts";
import { silentLogger, type Logger } from "../log.ts";
import type { Bus, Handler, RejectListener, SubscribeOptions } from "./bus.ts";
import type { KafkaConnection, TopicReplication } from "./kafka-config.ts";
import { notePassed } from "./recreation.ts";
import { isUnknownTopic, TopicGuard } from "./topic-guard.ts";
import { TopicHealth, type DegradedTopic } from "./topic-health.ts";
import { createKafkaClient } from "./kafka-client.ts";
import { committedPartitions, createMissingTopics, deleteGroups, endOffsets } from "./kafka-admin-ops.ts";
import { KafkaLeaderWatch } from "./kafka-leaders.ts";
import { KafkaProducerSlot } from "./kafka-producer.ts";
import { raiseMessageLimits } from "./message-limits.ts";
import { startSubscriptionConsumer, type KafkaSubscription as Subscription } from "./kafka-consumer.ts";

/** What a {@link KafkaBus} takes: where the brokers are, a logger and a listener for rejected messages. */
export interface KafkaBusOptions {
  connection: KafkaConnection;
  log?: Logger;
  onReject?: RejectListener;
  /** How long a collect consumer's fetch waits for data; small keeps the metrics path fast. */
  maxWaitMs?: number;
  /** The same for broadcast consumers (each driver's two); default BROADCAST_MAX_WAIT_MS. */
  broadcastMaxWaitMs?: number;
  /** How often the topics are checked for deletion and re-creation (default TOPIC_CHECK_MS). */
  topicCheckMs?: number;
}

/**
 * An idle broadcast consumer's fetch waits this long for data. A fetch returns as soon as a
 * message arrives, so this adds no delay to a configuration or trigger; it sets how often an
 * idle driver polls the broker (at 100 ms, 64 idle drivers took 95% of a core and the broker 35%).
 */
export const BROADCAST_MAX_WAIT_MS = 1_000;

/**
 * Group heartbeat interval of a broadcast consumer (one member per group, no rebalance after
 * the join): 3 s rather than the collect groups' 1 s, well inside the 10 s session. With 5
 * broadcast groups per driver, 64 drivers sent 320 group heartbeats a second at 1 s.
 */
export const BROADCAST_GROUP_HEARTBEAT_MS = 3_000;

/** Backoff bounds for re-creating a consumer that kafkajs gave up on. */
const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 5_000;

/** A {@link Bus} over Apache Kafka with kafkajs: idempotent producer, one consumer per subscription. */
export class KafkaBus implements Bus {
  private readonly kafka: Kafka;
  private readonly producer: KafkaProducerSlot;
  private topicsReady?: Promise<void>;
  private readonly subscriptions = new Set<Subscription>();
  private readonly restartTimers = new Set<ReturnType<typeof setTimeout>>();
  private readonly rejectedCounts: Record<string, number> = {};
  private readonly log: Logger;
  private readonly health: TopicHealth;
  /** Started by the first receivedThrough() (the orchestrator's liveness): leaders of the consumed partitions. */
  private leaderWatch?: KafkaLeaderWatch;
  /** How this bus creates topics, decided from the cluster's size in ensureTopics(). */
  private replication: TopicReplication = { configEntries: [] };
  private readonly guard: TopicGuard;
  /** Broadcast groups left behind by a resubscribe, deleted on close() with the live ones. */
  private readonly retiredGroups: string[] = [];
  private closed = false;

  constructor(private readonly options: KafkaBusOptions) {
    const { connection } = options;
    this.log = options.log ?? silentLogger;
    this.kafka = createKafkaClient(connection, this.log);
    this.producer = new KafkaProducerSlot({ kafka: this.kafka, ready: () => this.ensureTopics(), onUnknownTopic: () => this.guard.poke(), log: this.log });
    this.health = new TopicHealth(this.log);
    this.guard = new TopicGuard({
      kafka: this.kafka,
      topicPrefix: connection.topicPrefix,
      replication: () => this.replication,
      health: this.health,
      log: this.log,
      subscriptions: () => this.subscriptions,
      resubscribe: (sub, firstOffsets) => this.resubscribe(sub as Subscription, firstOffsets),
      intervalMs: options.topicCheckMs,
    });
  }

  private name(topic: TopicKey): string {
    return topicName(topic, this.options.connection.topicPrefix);
  }

  /**
   * Creates the protocol's topics once (metrics and heartbeats with several partitions), then
   * starts the guard that recreates them if they are deleted later.
   */
  ensureTopics(): Promise<void> {
    this.topicsReady ??= (async () => {
      this.replication = await createMissingTopics(this.kafka, this.options.connection);
      // Topics made by an older version: best effort, a failure only limits configurations to ~1 MB.
      await raiseMessageLimits(this.kafka, this.options.connection.topicPrefix, this.log).catch((err: unknown) =>
        this.log.warn("could not raise max.message.bytes of the test_config topic; configurations over 1 MB will not publish", { error: (err as Error).message }),
      );
      if (!this.closed) this.guard.start();
    })().catch((err) => {
      this.topicsReady = undefined;
      throw err;
    });
    return this.topicsReady;
  }

  async publish<T extends TopicKey>(topic: T, message: MessageOf<T>, key?: string): Promise<void> {
    await this.publishRaw(topic, encode(topic, message), key);
  }

  async publishRaw(topic: TopicKey, raw: string | Uint8Array, key?: string): Promise<void> {
    if (this.closed) throw new Error("bus is closed");
    await this.producer.send(this.name(topic), raw, key);
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
    // A group with nothing committed (every broadcast group, a collect group's first start)
    // reads from the start but skips everything before the end offsets seen now: it misses
    // nothing published after subscribe() resolves and replays nothing from before. kafkajs's
    // own "latest" is resolved at the first fetch, after the join, and loses what lands between.
    // Partitions a collect group has committed resume from there (a restart loses nothing).
    const endOffsetsNow = await endOffsets(this.kafka, this.name(topic));
    const startOffsets = new Map(endOffsetsNow);
    if (!broadcast) for (const partition of await committedPartitions(this.kafka, groupId, this.name(topic))) startOffsets.delete(partition);
    const sub: Subscription = {
      topic,
      groupId,
      broadcast,
      fromBeginning: true,
      startOffsets,
      passed: new Map(endOffsetsNow),
      committed: new Map(),
      lost: false,
      healing: false,
      generation: 0,
      consumer: null,
      lastFetchAt: Date.now(),
      fetchStartedAt: Date.now(),
      restarts: 0,
      ...(options.batchMs !== undefined ? { batchMs: options.batchMs } : {}),
      eachMessage: async ({ partition, message }) => {
        const offset = BigInt(message.offset);
        notePassed(sub.passed, partition, offset);
        const start = sub.startOffsets.get(partition);
        if (start !== undefined && offset < start) return;
        const decoded = decode(topic, message.value);
        if (!decoded.ok) return this.reject(topic, decoded.error);
        try {
          await handler(decoded.value);
        } catch (err) {
          this.reject(topic, `handler failed: ${(err as Error).message}`);
        }
      },
    };
    this.subscriptions.add(sub);
    try {
      await this.startConsumer(sub);
    } catch (err) {
      this.subscriptions.delete(sub);
      await sub.consumer?.disconnect().catch(() => {});
      throw err;
    }
  }

  private startConsumer(sub: Subscription): Promise<void> {
    return startSubscriptionConsumer(sub, {
      kafka: this.kafka,
      topicName: this.name(sub.topic),
      maxWaitMs: sub.broadcast ? (this.options.broadcastMaxWaitMs ?? BROADCAST_MAX_WAIT_MS) : (this.options.maxWaitMs ?? 100),
      ...(sub.broadcast ? { heartbeatIntervalMs: BROADCAST_GROUP_HEARTBEAT_MS } : {}),
      // kafkajs restarts a consumer itself after a retriable crash; after any other crash it
      // stays stopped, and a stopped subscription would never receive again: re-create it.
      onCrash: (consumer, error, restart) => {
        if (isUnknownTopic(error)) this.guard.poke();
        if (restart || this.closed || sub.consumer !== consumer) return;
        this.log.warn("kafka consumer stopped; re-creating it", { group: sub.groupId, error: error.message });
        this.scheduleRestart(sub);
      },
    });
  }

  /**
   * Restarts a subscription whose topic was recreated from the new topic's first offsets:
   * everything in the new topic is delivered (a message that already got through before the
   * re-creation was noticed may come twice; the handlers are idempotent). A broadcast
   * subscription moves to a fresh group. A collect group keeps its name: the broker dropped its
   * offsets with the deleted topic, so it starts from the beginning (`fromBeginning`), as it
   * does after an out-of-range offset. (kafkajs's admin.setOffsets would join the group with a
   * consumer of its own and cost about 5 s.)
   */
  private resubscribe(sub: Subscription, firstOffsets: Map<number, bigint>): void {
    if (this.closed) return;
    sub.healing = true;
    sub.lost = false;
    const generation = ++sub.generation;
    const old = sub.consumer;
    sub.consumer = null;
    void (async () => {
      await old?.disconnect().catch(() => {});
      if (this.closed || sub.generation !== generation) return;
      if (sub.broadcast) {
        this.retiredGroups.push(sub.groupId);
        sub.groupId = `${sub.groupId.replace(/-[0-9a-f]{8}$/, "")}-${crypto.randomUUID().slice(0, 8)}`;
      }
      sub.startOffsets = new Map();
      sub.passed = new Map(firstOffsets);
      sub.committed = new Map();
      try {
        await this.startConsumer(sub);
        this.log.info("kafka subscription restarted from the start of its recreated topic", { topic: sub.topic, group: sub.groupId });
      } catch (err) {
        if (this.closed) return;
        this.log.debug("resubscribing failed; will retry", { group: sub.groupId, error: (err as Error).message });
        this.scheduleRestart(sub);
      }
    })();
  }

  private scheduleRestart(sub: Subscription): void {
    const old = sub.consumer;
    sub.consumer = null;
    const generation = sub.generation;
    const delayMs = Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** Math.min(sub.restarts++, 10));
    const timer = setTimeout(async () => {
      this.restartTimers.delete(timer);
      await old?.disconnect().catch(() => {});
      if (this.closed || sub.generation !== generation) return;
      try {
        await this.startConsumer(sub);
        this.log.info("kafka consumer re-created", { group: sub.groupId });
      } catch (err) {
        if (this.closed) return;
        this.log.debug("re-creating a kafka consumer failed; will retry", { group: sub.groupId, error: (err as Error).message });
        this.scheduleRestart(sub);
      }
    }, delayMs);
    this.restartTimers.add(timer);
  }

  /**
   * Epoch ms up to which every subscription has fetched: a message that reached the broker
   * before it has been delivered. It lags `Date.now()` by one fetch (~`maxWaitMs`) while the
   * broker is reachable, and stops while it is not (or while a group rebalances).
   */
  receivedThrough(): number {
    let through = Date.now();
    for (const sub of this.subscriptions) through = Math.min(through, sub.lastFetchAt);
    // A consumer keeps fetching from the brokers still up while a partition's leader is gone
    // (a killed broker in a cluster, until the controller fences it): what was produced to that
    // partition waits in the producers, so the bus has not received everything either.
    if (!this.closed && this.subscriptions.size > 0) {
      this.leaderWatch ??= new KafkaLeaderWatch(this.kafka, () => [...new Set([...this.subscriptions].map((sub) => this.name(sub.topic)))]);
      through = Math.min(through, this.leaderWatch.healthyThrough());
    }
    return through;
  }

  rejected(): Record<string, number> {
    return { ...this.rejectedCounts };
  }

  /** Topics that are missing or were recreated and are not fully back yet (see TopicGuard). */
  degradedTopics(): DegradedTopic[] {
    return this.health.degraded();
  }

  /** Runs the topic guard's check now (tests). */
  checkTopics(): Promise<void> {
    return this.guard.check();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.leaderWatch?.stop();
    await this.guard.stop();
    for (const timer of this.restartTimers) clearTimeout(timer);
    this.restartTimers.clear();
    const subscriptions = [...this.subscriptions];
    this.subscriptions.clear();
    await Promise.allSettled([...subscriptions.map((sub) => sub.consumer?.disconnect()), this.producer.close()]);
    await deleteGroups(this.kafka, [...this.retiredGroups, ...subscriptions.filter((sub) => sub.broadcast).map((sub) => sub.groupId)], this.log);
  }
}
