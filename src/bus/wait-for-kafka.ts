import type { Logger } from "../log.ts";
import { fatalKafkaError } from "./kafka-fatal.ts";

/** How long a node waits for its broker at start, unless `KAFKA_WAIT_S` says otherwise (0: forever). */
export const DEFAULT_KAFKA_WAIT_S = 120;

/** Options of {@link waitForKafka}. */
export interface WaitForKafkaOptions {
  brokers: string[];
  log: Logger;
  /** Give up after this many seconds; 0 waits for ever. */
  waitS?: number;
  /** Stops waiting early (a SIGTERM during the wait). */
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
}

/** Reads `KAFKA_WAIT_S`, naming the variable when it is not a non-negative number. */
export function kafkaWaitFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env.KAFKA_WAIT_S;
  if (raw === undefined || raw === "") return DEFAULT_KAFKA_WAIT_S;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`KAFKA_WAIT_S must be a number of seconds (0: wait for ever), got "${raw}"`);
  return n;
}

/**
 * Retries `connect` (for a KafkaBus: creating or checking its topics) until the broker answers,
 * logging each failed attempt, so a node started before its broker (docker compose, a reboot)
 * waits for it instead of exiting. Throws with the last reason once `waitS` has passed, and at
 * once on a configuration mistake waiting cannot fix (see kafka-fatal.ts).
 */
export async function waitForKafka(connect: () => Promise<void>, options: WaitForKafkaOptions): Promise<void> {
  const { brokers, log, waitS = DEFAULT_KAFKA_WAIT_S, signal, sleep = Bun.sleep } = options;
  const deadline = waitS > 0 ? Date.now() + waitS * 1000 : Infinity;
  for (let attempt = 1; ; attempt++) {
    try {
      await connect();
      if (attempt > 1) log.info("Kafka is reachable", { brokers, attempts: attempt });
      return;
    } catch (err) {
      const reason = (err as Error).message;
      if (signal?.aborted) throw new Error(`stopped while waiting for Kafka at ${brokers.join(",")}`);
      // Wrong credentials or an untrusted certificate: waiting cannot help, so say so at once.
      const fatal = fatalKafkaError(err);
      if (fatal) throw new Error(`cannot connect to Kafka at ${brokers.join(",")}: ${fatal}`);
      if (Date.now() >= deadline) {
        throw new Error(`Kafka at ${brokers.join(",")} did not answer within ${waitS} s (KAFKA_WAIT_S): ${reason}`);
      }
      log.warn("waiting for Kafka", { brokers, attempt, reason });
      await sleep(Math.min(5_000, 500 * attempt));
    }
  }
}
