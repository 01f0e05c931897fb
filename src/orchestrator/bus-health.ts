import type { DegradedTopic } from "../bus/index.ts";

/**
 * The bus as `/healthz`, `/metrics` and the dashboard show it. `degraded` when a topic is
 * missing or being resubscribed (`topics`), or when the bus receives nothing (`receiving`
 * false: the broker is unreachable, or a subscription cannot fetch).
 */
export interface BusHealth {
  status: "ok" | "degraded";
  /** False while the bus has received nothing for `busStaleMs`: driver liveness is on hold. */
  receiving: boolean;
  /** Epoch ms up to which the bus had received everything when it stopped, while not receiving; else null. */
  not_receiving_since: number | null;
  /** Topics the bus cannot fully use, oldest problem first. */
  topics: DegradedTopic[];
  /** A running test fails once a topic has been degraded this long while it ran (`--bus-degraded-fail-ms`). */
  fail_tests_after_ms: number;
}

/** Builds the health from the bus's degraded topics and the orchestrator's view of an outage. */
export function busHealthOf(topics: readonly DegradedTopic[], notReceivingSince: number | null, failTestsAfterMs: number): BusHealth {
  const sorted = [...topics].sort((a, b) => a.since - b.since);
  const receiving = notReceivingSince === null;
  return {
    status: sorted.length === 0 && receiving ? "ok" : "degraded",
    receiving,
    not_receiving_since: notReceivingSince,
    topics: sorted,
    fail_tests_after_ms: failTestsAfterMs,
  };
}

/**
 * Why a running test must end now, or null: a topic has been degraded for longer than
 * `limitMs` counted from the later of its problem and the test's start. A broker outage alone
 * never ends a test (liveness waits for the broker; see docs/reliability.md).
 */
export function degradedBusFailure(topics: readonly DegradedTopic[], runningSince: number, now: number, limitMs: number): string | null {
  const oldest = [...topics].sort((a, b) => a.since - b.since)[0];
  if (oldest === undefined || now - Math.max(oldest.since, runningSince) <= limitMs) return null;
  return `bus degraded: ${oldest.reason} since ${new Date(oldest.since).toISOString()} (more than ${limitMs / 1000} s while the test ran)`;
}
