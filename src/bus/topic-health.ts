import type { Logger } from "../log.ts";
import type { TopicKey } from "../protocol/index.ts";

/**
 * What is wrong with a topic:
 * - `missing`: the broker does not have it (deleted); the bus is recreating it;
 * - `recreated`: it was deleted and created again under us; the bus is resubscribing from its start.
 */
export type TopicCondition = "missing" | "recreated";

/** One topic the bus cannot fully use right now, since when and why (for /healthz, /metrics, the dashboard). */
export interface DegradedTopic {
  topic: TopicKey;
  condition: TopicCondition;
  /** Epoch ms of the first problem of this episode; kept while the condition moves from missing to recreated. */
  since: number;
  reason: string;
}

/**
 * The bus's per-topic health: pure bookkeeping with time passed in. Logs exactly one line
 * per topic per change (condition or reason), never per retry, so a crash-looping consumer
 * or a failing re-creation cannot flood the log.
 */
export class TopicHealth {
  private readonly topics = new Map<TopicKey, DegradedTopic>();

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a problem; returns true when it is a change (and was logged). */
  set(topic: TopicKey, condition: TopicCondition, reason: string, fields: Record<string, unknown> = {}): boolean {
    const previous = this.topics.get(topic);
    if (previous && previous.condition === condition && previous.reason === reason) return false;
    const since = previous?.since ?? this.now();
    this.topics.set(topic, { topic, condition, since, reason });
    const line = { topic, condition, reason, degraded_since: new Date(since).toISOString(), ...fields };
    if (condition === "missing") this.log.warn("kafka topic degraded", line);
    else this.log.info("kafka topic degraded", line);
    return true;
  }

  /** Marks a topic healthy again; logs how long it was degraded. Returns true when it was degraded. */
  clear(topic: TopicKey, fields: Record<string, unknown> = {}): boolean {
    const previous = this.topics.get(topic);
    if (!previous) return false;
    this.topics.delete(topic);
    this.log.info("kafka topic healed", { topic, was: previous.condition, degraded_ms: this.now() - previous.since, ...fields });
    return true;
  }

  /** The condition of a topic, or undefined while it is healthy. */
  condition(topic: TopicKey): TopicCondition | undefined {
    return this.topics.get(topic)?.condition;
  }

  /** Every degraded topic, oldest problem first (copies). */
  degraded(): DegradedTopic[] {
    return [...this.topics.values()].sort((a, b) => a.since - b.since).map((t) => ({ ...t }));
  }
}
