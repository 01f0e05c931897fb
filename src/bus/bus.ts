import type { MessageOf, TopicKey } from "../protocol/index.ts";
import type { DegradedTopic } from "./topic-health.ts";

/**
 * How a subscription receives a topic:
 * - `broadcast`: every subscriber gets every message (each driver hears every configuration);
 * - `collect`: subscribers of one `group` share the messages, each delivered to one of them.
 */
export type DeliveryMode = { kind: "broadcast" } | { kind: "collect"; group: string };

/**
 * Broadcast subscriptions see only messages published after `subscribe` resolves, so a
 * restarted driver never replays old tests. Collect subscriptions resume where their group
 * left off (a restarted orchestrator loses nothing); a new group starts at the end.
 */
export interface SubscribeOptions {
  mode: DeliveryMode;
  /**
   * How long a message may wait before it is delivered (default: as soon as it arrives). A
   * subscriber of a busy topic that is in no hurry (twin detection on the fleet's heartbeats)
   * sets it: the KafkaBus then fetches, and commits, about once per `batchMs` instead of once
   * per message or two. The memory bus delivers at once whatever it says.
   */
  batchMs?: number;
}

/** Receives each decoded, valid message of a topic; a throw is counted as a rejection, not fatal. */
export type Handler<T extends TopicKey> = (message: MessageOf<T>) => void | Promise<void>;

/** One topic of a {@link Bus.subscribeAll} call and its handler; build it with {@link onTopic}. */
export interface TopicHandler {
  topic: TopicKey;
  handler: Handler<TopicKey>;
}

/** Pairs a topic with its handler, type-checked (a subscribeAll list mixes topics). */
export function onTopic<T extends TopicKey>(topic: T, handler: Handler<T>): TopicHandler {
  return { topic, handler: handler as Handler<TopicKey> };
}

/** Counts of what the bus dropped, by topic, for `/metrics`. */
export type RejectedCounts = Record<string, number>;

/** Publish and subscribe to the protocol's topics; messages are validated both ways. */
export interface Bus {
  publish<T extends TopicKey>(topic: T, message: MessageOf<T>, key?: string): Promise<void>;
  /** Resolves once the subscription is live: a message published after this is delivered. */
  subscribe<T extends TopicKey>(topic: T, options: SubscribeOptions, handler: Handler<T>): Promise<void>;
  /**
   * Subscribes to several distinct topics with the same options at once: each topic behaves as
   * if subscribed alone with these options (same start, same delivery, same healing), but the
   * KafkaBus reads them all through one consumer (one group, one fetch loop, one group heartbeat)
   * instead of one per topic: what a driver's four broadcast topics cost it when idle. Messages
   * of different topics are not ordered with each other. Optional: {@link subscribeTopics} falls
   * back to one `subscribe` per topic on a bus without it.
   */
  subscribeAll?(topics: readonly TopicHandler[], options: SubscribeOptions): Promise<void>;
  /** Sends raw bytes as they are (tests and fuzzing only: bypasses validation). */
  publishRaw(topic: TopicKey, raw: string | Uint8Array, key?: string): Promise<void>;
  /**
   * Epoch ms up to which this node's subscriptions have received everything sent to them.
   * It stops advancing while the broker is unreachable: silence after it says nothing about
   * the senders. Absent means always up to date (the memory bus).
   */
  receivedThrough?(): number;
  /**
   * Topics the bus cannot fully use right now (deleted, or recreated and being resubscribed),
   * each with since when and why; empty while healthy. Absent means never degraded (the memory bus).
   */
  degradedTopics?(): DegradedTopic[];
  /** Messages dropped because they failed to decode, by topic. */
  rejected(): RejectedCounts;
  /** Stops every subscription and connection; idempotent. */
  close(): Promise<void>;
}

/**
 * The optional health probes of `bus` (`receivedThrough`, `degradedTopics`), bound to it, for a
 * bus that wraps another: spread into the wrapper so what it reports stays the inner bus's.
 */
export function healthOf(bus: Bus): Pick<Bus, "receivedThrough" | "degradedTopics"> {
  return {
    ...(bus.receivedThrough ? { receivedThrough: () => bus.receivedThrough!() } : {}),
    ...(bus.degradedTopics ? { degradedTopics: () => bus.degradedTopics!() } : {}),
  };
}

/** `bus.subscribeAll(topics, options)`, or one `subscribe` per topic on a bus without it. */
export async function subscribeTopics(bus: Pick<Bus, "subscribe" | "subscribeAll">, topics: readonly TopicHandler[], options: SubscribeOptions): Promise<void> {
  if (bus.subscribeAll) return bus.subscribeAll(topics, options);
  for (const { topic, handler } of topics) await bus.subscribe(topic, options, handler);
}

/** Called for each rejected message (for logging); the bus counts it either way. */
export type RejectListener = (topic: TopicKey, error: string) => void;
