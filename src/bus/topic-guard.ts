import type { Admin, Kafka } from "kafkajs";
import type { Logger } from "../log.ts";
import { TOPIC_KEYS, topicName, type TopicKey } from "../protocol/index.ts";
import { recreationReason } from "./recreation.ts";
import type { TopicHealth } from "./topic-health.ts";
import type { TopicReplication } from "./kafka-config.ts";
import { topicSpec } from "./topic-specs.ts";

/** How often a bus checks that its topics exist and were not recreated under its subscriptions. */
export const TOPIC_CHECK_MS = 1_000;

/**
 * After a check failed (brokers or partition leaders unreachable), end offsets behind what was
 * read prove nothing for this long: a node restarted after a quorum loss can lead with the high
 * watermark of its last checkpoint until its followers fetch again.
 */
export const SETTLE_AFTER_OUTAGE_MS = 15_000;

/** How long stop() waits for a check in flight (one against an unreachable broker can take seconds). */
const STOP_WAIT_MS = 1_000;

/** What the guard reads and sets on one of the bus's subscriptions. */
export interface GuardedSubscription {
  topic: TopicKey;
  groupId: string;
  /** Per partition, the offset after the last message fetched (or the end offset at subscribe). */
  passed: Map<number, bigint>;
  /** Per partition, the last offset the consumer committed, from its commit events. */
  committed: Map<number, bigint>;
  /** The topic was seen missing: whatever exists under its name later is a new topic. */
  lost: boolean;
  /** From a resubscribe until the new consumer has joined its group. */
  healing: boolean;
}

/** What a {@link TopicGuard} needs from its bus. */
export interface TopicGuardDeps {
  kafka: Kafka;
  topicPrefix: string;
  /** How to replicate a recreated topic (the bus decides it from the cluster's size, asked once when first needed). */
  replication(): TopicReplication | Promise<TopicReplication>;
  health: TopicHealth;
  log: Logger;
  subscriptions(): Iterable<GuardedSubscription>;
  /**
   * Restarts a subscription from the first offsets of its (new) topic; sets `healing` at once
   * and clears it once the new consumer has joined. Never throws (it retries on its own).
   */
  resubscribe(sub: GuardedSubscription, firstOffsets: Map<number, bigint>): void;
  intervalMs?: number;
}

/** Kafka's answer for a topic the broker does not have (kafkajs keeps the type on the error or its cause). */
export function isUnknownTopic(err: unknown): boolean {
  for (let e = err as { type?: string; cause?: unknown; message?: string } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.type === "UNKNOWN_TOPIC_OR_PARTITION" || /does not host this topic-partition/.test(e.message ?? "")) return true;
  }
  return false;
}

/**
 * A bus's self-healing loop: every `intervalMs` (sooner when poked) it asks the broker
 * whether the protocol's topics exist, recreates missing ones with the configured partitions
 * and replication, and restarts from the start any subscription whose topic was recreated
 * (see recreation.ts). A broker that does not answer is not a missing topic: the check fails,
 * is logged at debug and tried again; the health is left as it was.
 */
export class TopicGuard {
  private admin: Admin | null = null;
  /** Until when (Date.now()) end offsets are not read as a re-creation: a check failed a moment ago. */
  private settleUntil = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private started = false;
  private stopped = false;

  constructor(private readonly deps: TopicGuardDeps) {}

  /** Starts the periodic check (idempotent). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedule(this.deps.intervalMs ?? TOPIC_CHECK_MS);
  }

  /** Runs a check soon (a consumer or producer just met a missing topic). */
  poke(): void {
    if (!this.started || this.stopped || this.running) return;
    this.schedule(0);
  }

  /** Stops checking; waits (at most STOP_WAIT_MS) for a check in flight and disconnects the admin client. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)));
      await Promise.race([this.running.catch(() => {}), late]);
      clearTimeout(timer);
    }
    await this.admin?.disconnect().catch(() => {});
    this.admin = null;
  }

  /** One pass (tests call it directly). */
  async check(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      this.timer = null;
      await this.check();
      if (!this.stopped) this.schedule(this.deps.intervalMs ?? TOPIC_CHECK_MS);
    }, delayMs);
    // The guard never keeps a process alive on its own.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private name(key: TopicKey): string {
    return topicName(key, this.deps.topicPrefix);
  }

  private async connected(): Promise<Admin> {
    if (this.admin) return this.admin;
    const admin = this.deps.kafka.admin({ retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 } });
    await admin.connect();
    this.admin = admin;
    return admin;
  }

  private async pass(): Promise<void> {
    const { health, log } = this.deps;
    // Resubscribed after every topic was looked at: topics that share a consumer (a subscribeAll)
    // are on hold while it restarts, so one resubscribed earlier would hide the next one's re-creation.
    const restarts: (() => void)[] = [];
    try {
      const admin = await this.connected();
      const missing = await this.missingTopics(admin);
      const subs = [...this.deps.subscriptions()];
      for (const key of missing) {
        health.set(key, "missing", `topic ${this.name(key)} does not exist; recreating it`);
        for (const sub of subs) if (sub.topic === key) sub.lost = true;
      }
      if (missing.length > 0) {
        try {
          const replication = await this.deps.replication();
          await admin.createTopics({ waitForLeaders: true, topics: missing.map((key) => topicSpec(key, this.deps.topicPrefix, replication)) });
        } catch (err) {
          // Waiting for the new topic's leaders can meet the topic not there yet (or deleted
          // again): the next pass sees. Anything else (an ACL, a policy) is the reason it stays missing.
          if (!isUnknownTopic(err)) {
            const reason = (err as Error).message;
            for (const key of missing) health.set(key, "missing", `topic ${this.name(key)} does not exist; recreating it failed: ${reason}`);
          }
          return;
        }
      }
      for (const key of TOPIC_KEYS) await this.heal(admin, key, subs.filter((s) => s.topic === key), restarts);
    } catch (err) {
      // Typically the broker is away: that is an outage (liveness on hold), not a topic problem.
      log.debug("kafka topic check failed; will retry", { error: (err as Error).message });
      if (isUnreachable(err)) this.settleUntil = Date.now() + SETTLE_AFTER_OUTAGE_MS;
      const admin = this.admin;
      this.admin = null;
      await admin?.disconnect().catch(() => {});
    } finally {
      for (const restart of restarts) restart();
    }
  }

  /** The protocol topics the broker does not have. */
  private async missingTopics(admin: Admin): Promise<TopicKey[]> {
    try {
      await admin.fetchTopicMetadata({ topics: TOPIC_KEYS.map((key) => this.name(key)) });
      return [];
    } catch (err) {
      if (!isUnknownTopic(err)) throw err;
      const existing = new Set(await admin.listTopics());
      return TOPIC_KEYS.filter((key) => !existing.has(this.name(key)));
    }
  }

  /** Queues the restart of the subscriptions of a topic that was recreated; clears the topic's health once all are back. */
  private async heal(admin: Admin, key: TopicKey, subs: GuardedSubscription[], restarts: (() => void)[]): Promise<void> {
    let restarting = false;
    const { health } = this.deps;
    // What each subscription had read and committed is copied BEFORE the broker is asked: the
    // consumer keeps fetching meanwhile, and an offset read after the end offsets were taken
    // (or a commit that landed after they were fetched) would look like a log gone backwards.
    const active = subs.filter((s) => !s.healing).map((sub) => ({ sub, passed: new Map(sub.passed), committed: new Map(sub.committed) }));
    if (active.length > 0) {
      const offsets = await admin.fetchTopicOffsets(this.name(key));
      const ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
      const unsettled = Date.now() < this.settleUntil ? new Set(ends.keys()) : await this.unsettledPartitions(admin, key);
      const firsts = new Map(offsets.map((o) => [o.partition, BigInt(o.low)]));
      for (const { sub, passed, committed } of active) {
        const brokerCommitted = !sub.lost && committed.size > 0 ? await this.committedOnBroker(admin, sub.groupId, key) : null;
        const reason = sub.lost ? "it was missing" : recreationReason({ passed, committed, ends, brokerCommitted, unsettled });
        // A resubscribe started meanwhile (a consumer restart) makes this reading stale.
        if (reason === null || sub.healing) continue;
        health.set(key, "recreated", `topic ${this.name(key)} was deleted and recreated (${reason}); resubscribing from its start`, { group: sub.groupId });
        restarts.push(() => this.deps.resubscribe(sub, firsts));
        restarting = true;
      }
    }
    if (!restarting && health.condition(key) !== undefined && subs.every((s) => !s.healing && !s.lost)) health.clear(key);
  }

  /**
   * Partitions whose end offset is no proof of re-creation: without a leader, or replicated. A
   * replicated partition's leader learns the high watermark from its followers' fetches, so
   * after any leader change (a failover, a preferred-leader election on a healthy cluster) it
   * can report an end below what a consumer already read; there only a topic seen missing or
   * a vanished committed offset says "re-created".
   */
  private async unsettledPartitions(admin: Admin, key: TopicKey): Promise<Set<number>> {
    const { topics } = await admin.fetchTopicMetadata({ topics: [this.name(key)] });
    const partitions = topics[0]?.partitions ?? [];
    return new Set(partitions.filter((p) => p.leader < 0 || p.replicas.length > 1).map((p) => p.partitionId));
  }

  private async committedOnBroker(admin: Admin, groupId: string, key: TopicKey): Promise<Map<number, bigint>> {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [this.name(key)] });
    return new Map((offsets?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  }
}

/** A broker or leader that could not be reached (refused, timed out), as opposed to a protocol answer. */
function isUnreachable(err: unknown): boolean {
  for (let e = err as { name?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.name === "KafkaJSConnectionError" || e.name === "KafkaJSRequestTimeoutError" || e.name === "KafkaJSConnectionClosedError") return true;
    if (/Connection error|ECONNREFUSED|timed out|Connection timeout/i.test(e.message ?? "")) return true;
  }
  return false;
}
