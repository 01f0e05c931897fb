import { Kafka, Partitioners, logLevel as KafkaLogLevel, type Admin, type Consumer, type Producer } from "kafkajs";
import { decode, encode, TOPIC_KEYS, topicName, type MessageOf, type TopicKey } from "../protocol/index.ts";
import { silentLogger, type Logger } from "../log.ts";
import type { Bus, Handler, RejectListener, SubscribeOptions } from "./bus.ts";
import { PRODUCER_SETTINGS, topicReplication, type KafkaConnection, type TopicReplication } from "./kafka-config.ts";
import { notePassed } from "./recreation.ts";
import { isUnknownTopic, TopicGuard, type GuardedSubscription } from "./topic-guard.ts";
import { TopicHealth, type DegradedTopic } from "./topic-health.ts";
import { topicSpec } from "./topic-specs.ts";
import { LeaderWatch, tcpProbe, type LeaderMetadata } from "./leader-watch.ts";

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

/** Backoff bounds for re-creating a consumer that kafkajs gave up on. */
const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 5_000;

/** How long close() spends deleting broadcast groups before it gives up and leaves them to expire. */
const DELETE_GROUPS_TIMEOUT_MS = 3_000;

/** kafkajs log lines repeated on every retry while the broker is away: debug, not warn. */
const RETRY_NOISE = /^(Response |Connection error|Failed to connect to seed broker|Connection timeout)/;

/**
 * kafkajs log lines repeated while a topic is missing or after it was recreated (a consumer
 * crash-looping every few seconds, offset resets): debug, the topic guard logs each change once.
 */
const TOPIC_NOISE = /^(Crash: .*does not host this topic-partition|Restarting the consumer in|Offset out of range, resetting)/;

/** One subscription, kept so its consumer can be re-created with the same group and start offsets. */
interface Subscription extends GuardedSubscription {
  /** A per-bus group of its own (broadcast), deleted on close(); collect groups are shared and kept. */
  broadcast: boolean;
  fromBeginning: boolean;
  /** Per partition, offsets below this are from before subscribe() and are skipped. */
  startOffsets: Map<number, bigint>;
  /** Bumped by each resubscribe, so a restart scheduled for an older consumer does nothing. */
  generation: number;
  eachMessage: (payload: { partition: number; message: { offset: string; value: Buffer | null } }) => Promise<void>;
  consumer: Consumer | null;
  /** Date.now() at the start of the consumer's last completed fetch (see `receivedThrough`). */
  lastFetchAt: number;
  fetchStartedAt: number;
  restarts: number;
}

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

/** A {@link Bus} over Apache Kafka with kafkajs: idempotent producer, one consumer per subscription. */
export class KafkaBus implements Bus {
  private readonly kafka: Kafka;
  private producer?: Promise<Producer>;
  private topicsReady?: Promise<void>;
  private readonly subscriptions = new Set<Subscription>();
  private readonly restartTimers = new Set<ReturnType<typeof setTimeout>>();
  private readonly rejectedCounts: Record<string, number> = {};
  private readonly log: Logger;
  private readonly health: TopicHealth;
  /** Started by the first receivedThrough() (the orchestrator's liveness): leaders of the consumed partitions. */
  private leaderWatch?: LeaderWatch;
  private watchAdmin: Promise<Admin> | null = null;
  /** How this bus creates topics, decided from the cluster's size in ensureTopics(). */
  private replication: TopicReplication = { configEntries: [] };
  private readonly guard: TopicGuard;
  /** Broadcast groups left behind by a resubscribe, deleted on close() with the live ones. */
  private readonly retiredGroups: string[] = [];
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
      const admin: Admin = this.kafka.admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        const missing = TOPIC_KEYS.filter((key) => !existing.has(this.name(key)));
        // Replicated on a cluster of 3+ brokers (3 copies, min.insync.replicas=2); one copy on one
        // broker; KAFKA_REPLICATION_FACTOR wins. The guard recreates deleted topics the same way.
        const { brokers } = await admin.describeCluster();
        this.replication = topicReplication(brokers.length, this.options.connection.replicationFactor);
        if (missing.length > 0) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((key) => topicSpec(key, this.options.connection.topicPrefix, this.replication)),
          });
        }
      } finally {
        await admin.disconnect();
      }
      if (!this.closed) this.guard.start();
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
        idempotent: PRODUCER_SETTINGS.idempotent,
        maxInFlightRequests: PRODUCER_SETTINGS.maxInFlightRequests,
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
    const pending = this.getProducer();
    const producer = await pending;
    try {
      await producer.send({
        topic: this.name(topic),
        acks: PRODUCER_SETTINGS.acks,
        messages: [{ key: key ?? null, value: typeof raw === "string" ? raw : Buffer.from(raw) }],
      });
    } catch (err) {
      if (isUnknownTopic(err)) this.guard.poke();
      if (!isTransient(err)) this.dropProducer(pending, err);
      throw err;
    }
  }

  /**
   * Forgets a producer kafkajs cannot go on with (after a broker restart an idempotent producer
   * can be fenced: unknown producer id, out-of-order sequence); the next publish makes a new
   * one. A resend from the new producer may duplicate a message the old one did write: the
   * orchestrator drops repeated report_ids, and the other topics are idempotent.
   */
  private dropProducer(stale: Promise<Producer>, err: unknown): void {
    if (this.producer !== stale) return;
    this.producer = undefined;
    this.log.warn("kafka producer reset after a non-retriable error", { error: (err as Error).message });
    void stale.then((p) => p.disconnect()).catch(() => {});
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
    const endOffsets = await this.endOffsets(topic);
    const startOffsets = new Map(endOffsets);
    if (!broadcast) for (const partition of await this.committedPartitions(groupId, topic)) startOffsets.delete(partition);
    const sub: Subscription = {
      topic,
      groupId,
      broadcast,
      fromBeginning: true,
      startOffsets,
      passed: new Map(endOffsets),
      committed: new Map(),
      lost: false,
      healing: false,
      generation: 0,
      consumer: null,
      lastFetchAt: Date.now(),
      fetchStartedAt: Date.now(),
      restarts: 0,
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

  /** Creates, connects and runs a subscription's consumer; resolves once it has joined its group. */
  private async startConsumer(sub: Subscription): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: sub.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: sub.broadcast ? (this.options.broadcastMaxWaitMs ?? BROADCAST_MAX_WAIT_MS) : (this.options.maxWaitMs ?? 100),
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
    const name = this.name(sub.topic);
    consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
      if (sub.consumer !== consumer) return;
      for (const t of payload.topics) {
        if (t.topic !== name) continue;
        // kafkajs (2.2.4) gives the partition as a string here.
        for (const p of t.partitions) sub.committed.set(Number(p.partition), BigInt(p.offset));
      }
    });
    // kafkajs restarts a consumer itself after a retriable crash; after any other crash it
    // stays stopped, and a stopped subscription would never receive again: re-create it.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (isUnknownTopic(payload.error)) this.guard.poke();
      if (payload.restart || this.closed || sub.consumer !== consumer) return;
      this.log.warn("kafka consumer stopped; re-creating it", { group: sub.groupId, error: payload.error.message });
      this.scheduleRestart(sub);
    });
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.name(sub.topic), fromBeginning: sub.fromBeginning });
    await consumer.run({ eachMessage: sub.eachMessage });
    await joined;
    sub.restarts = 0;
    if (sub.consumer === consumer) sub.healing = false;
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
      this.leaderWatch ??= this.startLeaderWatch();
      through = Math.min(through, this.leaderWatch.healthyThrough());
    }
    return through;
  }

  private startLeaderWatch(): LeaderWatch {
    const watch = new LeaderWatch({ metadata: () => this.leaderMetadata(), probe: (address) => tcpProbe(address) });
    watch.start();
    return watch;
  }

  /** Leaders of every partition this bus consumes, with a fresh metadata request each time. */
  private async leaderMetadata(): Promise<LeaderMetadata> {
    const topics = [...new Set([...this.subscriptions].map((sub) => this.name(sub.topic)))];
    const pending = (this.watchAdmin ??= (async () => {
      const admin = this.kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      return admin;
    })());
    try {
      const admin = await pending;
      const { topics: described } = await admin.fetchTopicMetadata({ topics });
      const { brokers } = await admin.describeCluster();
      return {
        leaders: described.flatMap((t) => t.partitions.map((p) => p.leader)),
        brokers: new Map(brokers.map((b) => [b.nodeId, `${b.host}:${b.port}`])),
      };
    } catch (err) {
      // The next check starts over with a new client (and so another seed broker).
      if (this.watchAdmin === pending) this.watchAdmin = null;
      void pending.then((a) => a.disconnect()).catch(() => {});
      throw err;
    }
  }

  /** Partitions of `topic` where `groupId` has a committed offset. */
  private async committedPartitions(groupId: string, topic: TopicKey): Promise<number[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [this.name(topic)] });
      return (offsets?.partitions ?? []).filter((p) => Number(p.offset) >= 0).map((p) => p.partition);
    } finally {
      await admin.disconnect();
    }
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
    void this.watchAdmin?.then((a) => a.disconnect()).catch(() => {});
    await this.guard.stop();
    for (const timer of this.restartTimers) clearTimeout(timer);
    this.restartTimers.clear();
    const producer = this.producer;
    const subscriptions = [...this.subscriptions];
    this.subscriptions.clear();
    await Promise.allSettled([
      ...subscriptions.map((sub) => sub.consumer?.disconnect()),
      producer ? producer.then((p) => p.disconnect()) : Promise.resolve(),
    ]);
    await this.deleteGroups([...this.retiredGroups, ...subscriptions.filter((sub) => sub.broadcast).map((sub) => sub.groupId)]);
  }

  /**
   * Deletes this bus's broadcast groups, which nobody joins again (each start makes new ones),
   * so they do not pile up on the broker. Best effort within DELETE_GROUPS_TIMEOUT_MS: a group
   * left behind (broker away, driver killed) expires with the broker's offsets.retention.minutes.
   */
  private async deleteGroups(groupIds: string[]): Promise<void> {
    if (groupIds.length === 0) return;
    const admin = this.kafka.admin({ retry: { retries: 1 } });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DELETE_GROUPS_TIMEOUT_MS);
    });
    const work = (async () => {
      try {
        await admin.connect();
        await admin.deleteGroups(groupIds);
      } finally {
        await admin.disconnect();
      }
    })().catch((err: unknown) => this.log.debug("deleting broadcast consumer groups failed; they expire with the broker's offset retention", { groups: groupIds, error: (err as Error).message }));
    try {
      await Promise.race([work, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Errors kafkajs gives up on after retrying a connection problem; the producer itself is still sound. */
function isTransient(err: unknown): boolean {
  const { name, retriable } = err as { name?: string; retriable?: boolean };
  return name === "KafkaJSNumberOfRetriesExceeded" || name === "KafkaJSConnectionError" || retriable === true;
}
