import type { Kafka } from "kafkajs";
import { decode, encode, topicName, type MessageOf, type TopicKey } from "../protocol/index.ts";
import { silentLogger, type Logger } from "../log.ts";
import { onTopic, type Bus, type Handler, type RejectListener, type SubscribeOptions, type TopicHandler } from "./bus.ts";
import type { KafkaConnection, TopicReplication } from "./kafka-config.ts";
import { notePassed } from "./recreation.ts";
import { isUnknownTopic, TopicGuard } from "./topic-guard.ts";
import { TopicHealth, type DegradedTopic } from "./topic-health.ts";
import { createKafkaClient } from "./kafka-client.ts";
import { askClusterReplication, committedPartitionsOf, createMissingTopics, deleteGroups, endOffsetsOf } from "./kafka-admin-ops.ts";
import { KafkaLeaderWatch } from "./kafka-leaders.ts";
import { KafkaProducerSlot } from "./kafka-producer.ts";
import { raiseMessageLimits } from "./message-limits.ts";
import { addTopic, applyResets, newSlot, retireConsumer, startSlotConsumer, type KafkaConsumerSlot as Slot, type KafkaRecord, type KafkaTopicSub } from "./kafka-consumer.ts";

/** What a {@link KafkaBus} takes: where the brokers are, a logger and a listener for rejected messages. */
export interface KafkaBusOptions {
  connection: KafkaConnection;
  log?: Logger;
  onReject?: RejectListener;
  /** How long a collect consumer's fetch waits for data; small keeps the metrics path fast. */
  maxWaitMs?: number;
  /** The same for broadcast consumers (a driver's one consumer of its broadcast topics); default BROADCAST_MAX_WAIT_MS. */
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

/** A {@link Bus} over Apache Kafka with kafkajs: idempotent producer, one consumer per subscribe() or subscribeAll() call. */
export class KafkaBus implements Bus {
  private readonly kafka: Kafka;
  private readonly producer: KafkaProducerSlot;
  private topicsReady?: Promise<void>;
  private readonly slots = new Set<Slot>();
  private readonly restartTimers = new Set<ReturnType<typeof setTimeout>>();
  private readonly rejectedCounts: Record<string, number> = {};
  private readonly log: Logger;
  private readonly health: TopicHealth;
  /** Started by the first receivedThrough() (the orchestrator's liveness): leaders of the consumed partitions. */
  private leaderWatch?: KafkaLeaderWatch;
  /** How this bus creates topics, from the cluster's size: known once it created a topic or the guard needed it. */
  private replication: Promise<TopicReplication> | null = null;
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
      // Asked once, when a recreation first needs it; a failed ask is asked again next time.
      replication: () =>
        (this.replication ??= askClusterReplication(this.kafka, connection).catch((err: unknown) => {
          this.replication = null;
          throw err;
        })),
      health: this.health,
      log: this.log,
      subscriptions: () => [...this.slots].flatMap((slot) => slot.topics),
      resubscribe: (sub, firstOffsets) => this.resubscribe(sub as KafkaTopicSub, firstOffsets),
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
      const replication = await createMissingTopics(this.kafka, this.options.connection);
      if (replication !== null) this.replication = Promise.resolve(replication);
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

  subscribe<T extends TopicKey>(topic: T, options: SubscribeOptions, handler: Handler<T>): Promise<void> {
    return this.subscribeAll([onTopic(topic, handler)], options);
  }

  /** One consumer and group for all `topics` (see Bus.subscribeAll); each topic starts as `subscribe` would. */
  async subscribeAll(topics: readonly TopicHandler[], options: SubscribeOptions): Promise<void> {
    if (this.closed) throw new Error("bus is closed");
    const keys = topics.map((t) => t.topic);
    if (keys.length === 0 || new Set(keys).size !== keys.length) throw new Error(`subscribeAll needs distinct topics, got [${keys.join(", ")}]`);
    await this.ensureTopics();
    const { connection } = this.options;
    const broadcast = options.mode.kind === "broadcast";
    const joined = keys.join("-");
    const groupId = broadcast
      ? `${connection.topicPrefix}${connection.clientId}-${joined}-${crypto.randomUUID().slice(0, 8)}`
      : `${connection.topicPrefix}${options.mode.kind === "collect" ? options.mode.group : ""}-${joined}`;
    // A group with nothing committed (every broadcast group, a collect group's first start)
    // reads from the start but skips everything before the end offsets seen now: it misses
    // nothing published after subscribe() resolves and replays nothing from before. kafkajs's
    // own "latest" is resolved at the first fetch, after the join, and loses what lands between.
    // Partitions a collect group has committed resume from there (a restart loses nothing).
    const names = keys.map((key) => this.name(key));
    const ends = await endOffsetsOf(this.kafka, names);
    const committed = broadcast ? new Map<string, number[]>() : await committedPartitionsOf(this.kafka, groupId, names);
    const slot = newSlot(groupId, broadcast, options.batchMs);
    for (const { topic, handler } of topics) {
      const name = this.name(topic);
      const startOffsets = new Map(ends.get(name));
      for (const partition of committed.get(name) ?? []) startOffsets.delete(partition);
      addTopic(slot, { topic, name, startOffsets, passed: new Map(ends.get(name)), deliver: (sub, partition, message) => this.deliver(sub, handler, partition, message) });
    }
    this.slots.add(slot);
    try {
      await this.startConsumer(slot);
    } catch (err) {
      this.slots.delete(slot);
      await slot.consumer?.disconnect().catch(() => {});
      throw err;
    }
  }

  private async deliver(sub: KafkaTopicSub, handler: Handler<TopicKey>, partition: number, message: KafkaRecord): Promise<void> {
    const offset = BigInt(message.offset);
    notePassed(sub.passed, partition, offset);
    const start = sub.startOffsets.get(partition);
    if (start !== undefined && offset < start) return;
    const decoded = decode(sub.topic, message.value);
    if (!decoded.ok) return this.reject(sub.topic, decoded.error);
    try {
      await handler(decoded.value);
    } catch (err) {
      this.reject(sub.topic, `handler failed: ${(err as Error).message}`);
    }
  }

  private startConsumer(slot: Slot): Promise<void> {
    return startSlotConsumer(slot, {
      kafka: this.kafka,
      maxWaitMs: slot.broadcast ? (this.options.broadcastMaxWaitMs ?? BROADCAST_MAX_WAIT_MS) : (this.options.maxWaitMs ?? 100),
      ...(slot.broadcast ? { heartbeatIntervalMs: BROADCAST_GROUP_HEARTBEAT_MS } : {}),
      // kafkajs restarts a consumer itself after a retriable crash; after any other crash it
      // stays stopped, and a stopped subscription would never receive again: re-create it.
      onCrash: (consumer, error, restart) => {
        if (isUnknownTopic(error)) this.guard.poke();
        if (restart || this.closed || slot.consumer !== consumer) return;
        this.log.warn("kafka consumer stopped; re-creating it", { group: slot.groupId, error: error.message });
        this.scheduleRestart(slot);
      },
    });
  }

  /**
   * Restarts the consumer of a subscription whose topic was recreated, reading that topic from
   * the new topic's first offsets: everything in the new topic is delivered (a message that
   * already got through before the re-creation was noticed may come twice; the handlers are
   * idempotent). The consumer's other topics lose and replay nothing (see applyResets). Several
   * resubscribes of one consumer in a row (two of its topics recreated) restart it once.
   * (kafkajs's admin.setOffsets would join the group with a consumer of its own and cost about 5 s.)
   */
  private resubscribe(sub: KafkaTopicSub, firstOffsets: Map<number, bigint>): void {
    if (this.closed) return;
    const { slot } = sub;
    sub.lost = false;
    sub.resetTo = new Map(firstOffsets);
    // Every topic of the consumer is on hold until it is back: their group changes meanwhile.
    for (const t of slot.topics) t.healing = true;
    const generation = ++slot.generation;
    retireConsumer(slot);
    void (async () => {
      await slot.retiring;
      if (this.closed || slot.generation !== generation) return;
      const retired = applyResets(slot);
      if (retired !== null) this.retiredGroups.push(retired);
      try {
        await this.startConsumer(slot);
        this.log.info("kafka subscription restarted from the start of its recreated topic", { topic: sub.topic, group: slot.groupId });
      } catch (err) {
        if (this.closed) return;
        this.log.debug("resubscribing failed; will retry", { group: slot.groupId, error: (err as Error).message });
        this.scheduleRestart(slot);
      }
    })();
  }

  private scheduleRestart(slot: Slot): void {
    retireConsumer(slot);
    const generation = slot.generation;
    const delayMs = Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** Math.min(slot.restarts++, 10));
    const timer = setTimeout(async () => {
      this.restartTimers.delete(timer);
      await slot.retiring;
      if (this.closed || slot.generation !== generation) return;
      try {
        await this.startConsumer(slot);
        this.log.info("kafka consumer re-created", { group: slot.groupId });
      } catch (err) {
        if (this.closed) return;
        this.log.debug("re-creating a kafka consumer failed; will retry", { group: slot.groupId, error: (err as Error).message });
        this.scheduleRestart(slot);
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
    for (const slot of this.slots) through = Math.min(through, slot.lastFetchAt);
    // A consumer keeps fetching from the brokers still up while a partition's leader is gone
    // (a killed broker in a cluster, until the controller fences it): what was produced to that
    // partition waits in the producers, so the bus has not received everything either.
    if (!this.closed && this.slots.size > 0) {
      this.leaderWatch ??= new KafkaLeaderWatch(this.kafka, () => [...new Set([...this.slots].flatMap((slot) => slot.topics.map((t) => t.name)))]);
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
    const slots = [...this.slots];
    this.slots.clear();
    await Promise.allSettled([...slots.map((slot) => slot.consumer?.disconnect()), this.producer.close()]);
    await deleteGroups(this.kafka, [...this.retiredGroups, ...slots.filter((slot) => slot.broadcast).map((slot) => slot.groupId)], this.log);
  }
}
