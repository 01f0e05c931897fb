import type { Bus, Handler, SubscribeOptions, TopicHandler } from "../bus/index.ts";
import { healthOf } from "../bus/bus.ts";
import { silentLogger, type Logger } from "../log.ts";
import { BROADCAST_TOPICS, validate, type DriverEvent, type MessageOf, type TestConfig, type TopicKey } from "../protocol/index.ts";
import type { CommandVerifier, RejectReason } from "./command-verifier.ts";
import { checkEdgePolicy, type EdgePolicy } from "./edge-policy.ts";
import { reportMac } from "./report-mac.ts";
import { ReplayGuard } from "./replay-guard.ts";
import { systemClock, type Clock } from "../driver/clock.ts";
import { Outbox } from "../driver/outbox.ts";
import { cannotRun } from "../driver/run-plan.ts";

/** How long closing the bus waits for refusals still queued to reach the broker. */
const REFUSALS_FLUSH_MS = 5_000;

/** What the driver trust bus wraps and enforces. */
export interface DriverTrustOptions {
  bus: Bus;
  nodeId: string;
  /** The driver's clock (default: the system clock); also paces the retries of refusals not yet sent. */
  clock?: Clock;
  log?: Logger;
  /** Set: every command on a broadcast topic must be signed by a trusted key (see ReplayGuard for replays). */
  verifier?: CommandVerifier;
  /** Limits applied to every configuration addressed to this driver, signed or not. */
  policy?: EdgePolicy;
  /** Set: every metrics report carries `report_mac` under this fleet report key. */
  reportKey?: Uint8Array;
}

/** The driver's bus, with its trust counts by reason (what its log reports). */
export interface DriverTrustBus extends Bus {
  rejectedCommands(): Record<string, number>;
}

/**
 * Wraps a driver's bus so the driver core only ever sees commands it may obey:
 * - on every orchestrator→driver topic (BROADCAST_TOPICS: test_config, trigger, stop, clock), a
 *   command that is unsigned, signed by an unknown key, altered, expired or replayed is
 *   dropped before the driver sees it (so no request is ever sent for it), counted by reason,
 *   logged, and reported to the orchestrator as a COMMAND_REJECTED driver_event;
 * - a configuration for this driver that breaks its edge policy is answered TEST_REJECTED
 *   naming the rule, and its trigger is dropped;
 * - outgoing register and heartbeat messages say whether this driver verifies signatures, and
 *   outgoing reports carry their HMAC when a report key is set.
 * Without a verifier, policy or key it passes everything through unchanged.
 */
export function createDriverTrustBus(options: DriverTrustOptions): DriverTrustBus {
  const { bus, nodeId, verifier, policy, reportKey, clock = systemClock } = options;
  const log = options.log ?? silentLogger;
  const now = () => clock.now();
  // Refusals must reach the orchestrator (a policy rejection settles a participant): queued and
  // retried like the driver's own events, never dropped while the broker is away.
  const outbox = new Outbox({ bus, clock, log });
  const guard = new ReplayGuard(now());
  const counts: Record<string, number> = {};
  const refusedByPolicy = new Set<string>();

  const tell = (event: DriverEvent) => outbox.push({ topic: "driver_event", message: event, key: nodeId });

  const refuse = (topic: TopicKey, testId: string, reason: RejectReason, detail: string) => {
    counts[reason] = (counts[reason] ?? 0) + 1;
    log.warn("refused a command", { topic, test_id: testId, reason, detail, rejected_commands: { ...counts } });
    tell({ node_id: nodeId, test_id: testId, event: "COMMAND_REJECTED", reason, topic, error: `${topic} refused (${reason}): ${detail}`, timestamp: now() });
  };

  /** True when the configuration is for this driver and breaks its policy (then answered here). */
  const breaksPolicy = (config: TestConfig): boolean => {
    if (!policy || (config.drivers !== undefined && !config.drivers.includes(nodeId))) return false;
    const issues = checkEdgePolicy(config, policy);
    if (issues.length === 0) return false;
    refusedByPolicy.add(config.test_id);
    if (refusedByPolicy.size > 4096) refusedByPolicy.delete(refusedByPolicy.values().next().value!);
    const error = cannotRun(config.test_id, issues);
    log.warn("test rejected by this driver's policy", { test_id: config.test_id, issues });
    tell({ node_id: nodeId, test_id: config.test_id, event: "TEST_REJECTED", error, issues, timestamp: now() });
    return true;
  };

  /**
   * A refused clock message is about no test and comes every ~2 s: it is counted and logged
   * (the first, then every 30th), never answered, so a misconfigured key cannot flood the bus.
   */
  const refuseClock = (reason: RejectReason, detail: string) => {
    const key = `clock_${reason}`;
    counts[key] = (counts[key] ?? 0) + 1;
    if (counts[key] % 30 === 1) log.warn("refused a clock message: the clock offset is not updated from it", { reason, detail, refused: counts[key] });
  };

  const gate = <T extends TopicKey>(topic: T, handler: Handler<T>): Handler<T> => async (message) => {
    const testId = (message as { test_id: string }).test_id;
    if (verifier) {
      const at = now();
      const verdict = await verifier.verify(topic, message, at);
      const judged = verdict.ok ? guard.check(topic, message as { test_id: string; issued_at?: number }, at) : verdict;
      if (!judged.ok && topic === "clock") return refuseClock(judged.reason, judged.detail);
      if (!judged.ok) return refuse(topic, testId, judged.reason, judged.detail);
    }
    if (topic === "test_config" && breaksPolicy(message as TestConfig)) return;
    if (topic === "trigger" && refusedByPolicy.has(testId)) return log.debug("trigger of a test refused by policy", { test_id: testId });
    return handler(message);
  };

  const stamp = <T extends TopicKey>(topic: T, message: MessageOf<T>): MessageOf<T> => {
    if (topic === "register" && (message as MessageOf<"register">).message_type === "DRIVER_NODE_REGISTER") return { ...message, verifies_signatures: verifier !== undefined };
    if (topic === "heartbeat") return { ...message, verifies_signatures: verifier !== undefined };
    if (topic === "metrics" && reportKey) {
      // MACed as the orchestrator will see it: schema-parsed (a message the schema refuses is left for the bus to refuse).
      const parsed = validate("metrics", message);
      if (!parsed.ok) return message;
      const { report_mac: _old, ...report } = parsed.value;
      return { ...report, report_mac: reportMac(reportKey, report) } as MessageOf<T>;
    }
    return message;
  };

  return {
    publish: (topic, message, key) => bus.publish(topic, stamp(topic, message), key),
    subscribe: <T extends TopicKey>(topic: T, subscription: SubscribeOptions, handler: Handler<T>) =>
      bus.subscribe(topic, subscription, BROADCAST_TOPICS.includes(topic) ? gate(topic, handler) : handler),
    ...(bus.subscribeAll
      ? {
          subscribeAll: (topics: readonly TopicHandler[], subscription: SubscribeOptions) =>
            bus.subscribeAll!(topics.map(({ topic, handler }) => ({ topic, handler: BROADCAST_TOPICS.includes(topic) ? gate(topic, handler) : handler })), subscription),
        }
      : {}),
    publishRaw: (topic, raw, key) => bus.publishRaw(topic, raw, key),
    ...healthOf(bus),
    rejected: () => bus.rejected(),
    async close() {
      await outbox.flush(REFUSALS_FLUSH_MS);
      outbox.close();
      await bus.close();
    },
    rejectedCommands: () => ({ ...counts }),
  };
}
