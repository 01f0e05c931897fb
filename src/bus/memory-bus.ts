import { decode, encode, type MessageOf, type TopicKey } from "../protocol/index.ts";
import type { Bus, Handler, RejectListener, SubscribeOptions, TopicHandler } from "./bus.ts";

interface Subscriber {
  topic: TopicKey;
  options: SubscribeOptions;
  handler: Handler<TopicKey>;
}

/** Options of a {@link MemoryBus}. */
export interface MemoryBusOptions {
  onReject?: RejectListener;
}

/**
 * In-process bus with the Kafka bus's semantics: JSON on the wire, validation on receive,
 * broadcast to all, collect shared round-robin within a group, delivery asynchronous and in order.
 * Several buses can share one {@link MemoryBroker}, as nodes share one Kafka cluster.
 */
export class MemoryBroker {
  private readonly subscribers = new Set<{ bus: MemoryBus; sub: Subscriber }>();
  private readonly cursors = new Map<string, number>();

  attach(bus: MemoryBus, sub: Subscriber): () => void {
    const entry = { bus, sub };
    this.subscribers.add(entry);
    return () => this.subscribers.delete(entry);
  }

  deliver(topic: TopicKey, raw: string | Uint8Array): void {
    const groups = new Map<string, { bus: MemoryBus; sub: Subscriber }[]>();
    for (const entry of this.subscribers) {
      if (entry.sub.topic !== topic) continue;
      const mode = entry.sub.options.mode;
      if (mode.kind === "broadcast") {
        entry.bus.enqueue(entry.sub, raw);
        continue;
      }
      const members = groups.get(mode.group) ?? [];
      members.push(entry);
      groups.set(mode.group, members);
    }
    for (const [group, members] of groups) {
      const cursorKey = `${topic}/${group}`;
      const cursor = this.cursors.get(cursorKey) ?? 0;
      const chosen = members[cursor % members.length];
      this.cursors.set(cursorKey, cursor + 1);
      chosen?.bus.enqueue(chosen.sub, raw);
    }
  }
}

/** A {@link Bus} over a {@link MemoryBroker}, for unit tests and the one-process local mode. */
export class MemoryBus implements Bus {
  private readonly detachers: (() => void)[] = [];
  private readonly rejectedCounts: Record<string, number> = {};
  private readonly queue: { sub: Subscriber; raw: string | Uint8Array }[] = [];
  private draining = false;
  private closed = false;
  private readonly onReject?: RejectListener;

  constructor(
    readonly broker: MemoryBroker = new MemoryBroker(),
    options: MemoryBusOptions = {},
  ) {
    this.onReject = options.onReject;
  }

  async publish<T extends TopicKey>(topic: T, message: MessageOf<T>): Promise<void> {
    this.publishEncoded(topic, encode(topic, message));
  }

  async publishRaw(topic: TopicKey, raw: string | Uint8Array): Promise<void> {
    this.publishEncoded(topic, raw);
  }

  private publishEncoded(topic: TopicKey, raw: string | Uint8Array): void {
    if (this.closed) throw new Error("bus is closed");
    this.broker.deliver(topic, raw);
  }

  async subscribe<T extends TopicKey>(topic: T, options: SubscribeOptions, handler: Handler<T>): Promise<void> {
    if (this.closed) throw new Error("bus is closed");
    const sub: Subscriber = { topic, options, handler: handler as Handler<TopicKey> };
    this.detachers.push(this.broker.attach(this, sub));
  }

  /** One subscribe per topic: the same deliveries as the KafkaBus's single consumer for them all. */
  async subscribeAll(topics: readonly TopicHandler[], options: SubscribeOptions): Promise<void> {
    const keys = topics.map((t) => t.topic);
    if (keys.length === 0 || new Set(keys).size !== keys.length) throw new Error(`subscribeAll needs distinct topics, got [${keys.join(", ")}]`);
    for (const { topic, handler } of topics) await this.subscribe(topic, options, handler);
  }

  /** Queues a delivery; handlers run on a later microtask, one at a time, in order. */
  enqueue(sub: Subscriber, raw: string | Uint8Array): void {
    if (this.closed) return;
    this.queue.push({ sub, raw });
    if (!this.draining) {
      this.draining = true;
      queueMicrotask(() => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      const { sub, raw } = this.queue.shift()!;
      const decoded = decode(sub.topic, raw);
      if (!decoded.ok) {
        this.rejectedCounts[sub.topic] = (this.rejectedCounts[sub.topic] ?? 0) + 1;
        this.onReject?.(sub.topic, decoded.error);
        continue;
      }
      try {
        await sub.handler(decoded.value);
      } catch (err) {
        // A handler bug must not stop delivery to the others; count it like a rejection.
        this.rejectedCounts[sub.topic] = (this.rejectedCounts[sub.topic] ?? 0) + 1;
        this.onReject?.(sub.topic, `handler failed: ${(err as Error).message}`);
      }
    }
    this.draining = false;
  }

  rejected(): Record<string, number> {
    return { ...this.rejectedCounts };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const detach of this.detachers.splice(0)) detach();
    this.queue.length = 0;
  }
}
