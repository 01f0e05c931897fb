import { Partitioners, type Kafka, type Producer } from "kafkajs";
import type { Logger } from "../log.ts";
import { PRODUCER_SETTINGS } from "./kafka-config.ts";
import { isUnknownTopic } from "./topic-guard.ts";

/** What a {@link KafkaProducerSlot} needs: the client, topics made before the first send, a logger. */
export interface KafkaProducerSlotDeps {
  kafka: Kafka;
  /** Resolves once the protocol's topics exist. */
  ready(): Promise<void>;
  /** A send failed because the topic is gone (the topic guard should look now). */
  onUnknownTopic(): void;
  log: Logger;
}

/** A bus's one idempotent producer, made on first use and replaced after an error it cannot go on from. */
export class KafkaProducerSlot {
  private producer?: Promise<Producer>;

  constructor(private readonly deps: KafkaProducerSlotDeps) {}

  /** Sends one message to `topic` (its full name); rejects with kafkajs's error. */
  async send(topic: string, raw: string | Uint8Array, key?: string): Promise<void> {
    const pending = this.get();
    const producer = await pending;
    try {
      await producer.send({
        topic,
        acks: PRODUCER_SETTINGS.acks,
        messages: [{ key: key ?? null, value: typeof raw === "string" ? raw : Buffer.from(raw) }],
      });
    } catch (err) {
      if (isUnknownTopic(err)) this.deps.onUnknownTopic();
      if (!isTransient(err)) this.drop(pending, err);
      throw err;
    }
  }

  /** Disconnects the producer, if one was made. */
  close(): Promise<void> {
    const producer = this.producer;
    return producer ? producer.then((p) => p.disconnect()) : Promise.resolve();
  }

  private get(): Promise<Producer> {
    this.producer ??= (async () => {
      await this.deps.ready();
      const producer = this.deps.kafka.producer({
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

  /**
   * Forgets a producer kafkajs cannot go on with (after a broker restart an idempotent producer
   * can be fenced: unknown producer id, out-of-order sequence); the next publish makes a new
   * one. A resend from the new producer may duplicate a message the old one did write: the
   * orchestrator drops repeated report_ids, and the other topics are idempotent.
   */
  private drop(stale: Promise<Producer>, err: unknown): void {
    if (this.producer !== stale) return;
    this.producer = undefined;
    this.deps.log.warn("kafka producer reset after a non-retriable error", { error: (err as Error).message });
    void stale.then((p) => p.disconnect()).catch(() => {});
  }
}

/** Errors kafkajs gives up on after retrying a connection problem; the producer itself is still sound. */
function isTransient(err: unknown): boolean {
  const { name, retriable } = err as { name?: string; retriable?: boolean };
  return name === "KafkaJSNumberOfRetriesExceeded" || name === "KafkaJSConnectionError" || retriable === true;
}
