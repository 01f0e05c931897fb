import type { Bus } from "../bus/index.ts";
import type { Logger } from "../log.ts";
import { validate, type MessageOf, type TopicKey } from "../protocol/index.ts";
import type { Clock, TimerHandle } from "./clock.ts";
import { OUTBOX_RETRY_MAX_MS, OUTBOX_RETRY_MIN_MS, PUBLISH_STALL_WARN_MS } from "./defaults.ts";

/** One message waiting to be published. */
export type OutboxEntry = { [T in TopicKey]: { topic: T; message: MessageOf<T>; key?: string } }[TopicKey];

export interface OutboxOptions {
  bus: Pick<Bus, "publish">;
  clock: Clock;
  log: Logger;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** A publish neither acknowledged nor failed this long is reported once (it stays queued). */
  stallWarnMs?: number;
  /** This driver process's instance id: stamped on every message that has no `instance_id` of its own. */
  instanceId?: string;
}

/**
 * Messages that must not be lost (reports, driver events, registration): published one at a
 * time, in order; a failed publish is retried with capped exponential backoff until the bus
 * takes it, however long the broker is away. Nothing is ever dropped before `close()`.
 */
export class Outbox {
  private readonly queue: OutboxEntry[] = [];
  private draining = false;
  private closed = false;
  private retryTimer: TimerHandle | null = null;
  private wakeRetry: (() => void) | null = null;
  private idleWaiters: (() => void)[] = [];
  private failures = 0;

  constructor(private readonly options: OutboxOptions) {}

  /** Queues a message. An invalid one is a bug and throws here, not in a retry loop. */
  push(entry: OutboxEntry): void {
    if (this.closed) throw new Error("outbox is closed");
    entry = stampInstance(entry, this.options.instanceId);
    const checked = validate(entry.topic, entry.message);
    if (!checked.ok) throw new Error(`refusing to queue ${checked.error}`);
    this.queue.push(entry);
    if (!this.draining) void this.drain();
  }

  /** Messages not yet accepted by the bus. */
  get size(): number {
    return this.queue.length;
  }

  /** Resolves true once everything queued so far is published, false if `timeoutMs` passes first. */
  async flush(timeoutMs: number): Promise<boolean> {
    if (this.queue.length === 0) return true;
    const { clock } = this.options;
    let timer: TimerHandle | undefined;
    const idle = new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true)));
    const late = new Promise<boolean>((resolve) => (timer = clock.setTimeout(resolve, timeoutMs, false)));
    try {
      return await Promise.race([idle, late]);
    } finally {
      clock.clearTimeout(timer);
    }
  }

  /** Stops publishing and retrying; whatever is still queued stays unsent. */
  close(): void {
    this.closed = true;
    if (this.retryTimer !== null) this.options.clock.clearTimeout(this.retryTimer);
    this.wakeRetry?.();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    const { bus, log } = this.options;
    while (this.queue.length > 0 && !this.closed) {
      const entry = this.queue[0]!;
      let stalled = false;
      const watchdog = this.options.clock.setTimeout(() => {
        stalled = true;
        log.warn("publish not acknowledged; the message stays queued until the bus takes it", {
          topic: entry.topic,
          waited_ms: this.options.stallWarnMs ?? PUBLISH_STALL_WARN_MS,
          queued: this.queue.length,
        });
      }, this.options.stallWarnMs ?? PUBLISH_STALL_WARN_MS);
      try {
        try {
          await bus.publish(entry.topic, entry.message as never, entry.key);
        } finally {
          this.options.clock.clearTimeout(watchdog);
        }
        this.queue.shift();
        if (this.failures > 0 || stalled) log.info("bus accepts messages again", { after_failures: this.failures, queued: this.queue.length });
        this.failures = 0;
      } catch (err) {
        this.failures++;
        // One line when the trouble starts, then one every 10 tries: no log flood while Kafka is away.
        if (this.failures === 1 || this.failures % 10 === 0) {
          log.warn("publish failed; will retry", { topic: entry.topic, failures: this.failures, queued: this.queue.length, error: (err as Error).message });
        }
        await this.backoff();
      }
    }
    this.draining = false;
    if (this.queue.length === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private backoff(): Promise<void> {
    const min = this.options.retryMinMs ?? OUTBOX_RETRY_MIN_MS;
    const max = this.options.retryMaxMs ?? OUTBOX_RETRY_MAX_MS;
    const ms = Math.min(max, min * 2 ** Math.min(this.failures - 1, 20));
    return new Promise((resolve) => {
      this.wakeRetry = resolve;
      this.retryTimer = this.options.clock.setTimeout(() => {
        this.retryTimer = null;
        this.wakeRetry = null;
        resolve();
      }, ms);
    });
  }
}

/** Topics whose messages carry the sender's `instance_id` (see src/protocol/messages.ts). */
const INSTANCE_TOPICS: ReadonlySet<TopicKey> = new Set(["register", "heartbeat", "metrics", "driver_event"]);

/** The entry with `instance_id` added when its topic carries one and it has none yet. */
function stampInstance(entry: OutboxEntry, instanceId: string | undefined): OutboxEntry {
  if (instanceId === undefined || !INSTANCE_TOPICS.has(entry.topic) || "instance_id" in entry.message) return entry;
  return { ...entry, message: { ...entry.message, instance_id: instanceId } } as OutboxEntry;
}
