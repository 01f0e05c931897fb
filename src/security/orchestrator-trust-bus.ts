import type { Bus, Handler, SubscribeOptions, TopicHandler } from "../bus/index.ts";
import { healthOf } from "../bus/bus.ts";
import { silentLogger, type Logger } from "../log.ts";
import { BROADCAST_TOPICS, type MessageOf, type TopicKey } from "../protocol/index.ts";
import type { CommandSigner } from "./command-signer.ts";
import { checkReportMac } from "./report-mac.ts";
import type { SecurityCounters } from "./security-counters.ts";

/** What the orchestrator trust bus wraps, signs with and checks. */
export interface OrchestratorTrustOptions {
  bus: Bus;
  counters: SecurityCounters;
  log?: Logger;
  /** Set: every command on an orchestrator→driver topic (BROADCAST_TOPICS) is signed. */
  signer?: CommandSigner;
  /** Set: a report without the right `report_mac` under this fleet key is dropped and counted. */
  reportKey?: Uint8Array;
}

/**
 * Wraps the orchestrator's bus: signs every command it publishes to the drivers, drops forged
 * reports (with a report key), and takes the drivers' COMMAND_REJECTED events out of the test
 * flow into the counters (a refused forgery is about no real test). The core is unchanged.
 */
export function createOrchestratorTrustBus(options: OrchestratorTrustOptions): Bus {
  const { bus, counters, signer, reportKey } = options;
  const log = options.log ?? silentLogger;

  const inbound = <T extends TopicKey>(topic: T, handler: Handler<T>): Handler<T> => {
    if (topic === "metrics" && reportKey) {
      return (message) => {
        const report = message as MessageOf<"metrics">;
        const check = checkReportMac(reportKey, report);
        if (check === "ok") return handler(message);
        counters.reportForged(check);
        log.warn("dropped a report that does not carry the fleet's report key", { reason: check, node_id: report.node_id, test_id: report.test_id });
      };
    }
    if (topic === "driver_event") {
      return (message) => {
        const event = message as MessageOf<"driver_event">;
        if (event.event !== "COMMAND_REJECTED") return handler(message);
        counters.commandRejected(event.reason ?? "unknown");
        log.warn("a driver refused a command", { node_id: event.node_id, test_id: event.test_id, topic: event.topic, reason: event.reason, error: event.error });
      };
    }
    return handler;
  };

  return {
    publish: async (topic, message, key) => bus.publish(topic, signer && BROADCAST_TOPICS.includes(topic) ? await signer.sign(topic, message) : message, key),
    subscribe: <T extends TopicKey>(topic: T, subscription: SubscribeOptions, handler: Handler<T>) => bus.subscribe(topic, subscription, inbound(topic, handler)),
    ...(bus.subscribeAll
      ? { subscribeAll: (topics: readonly TopicHandler[], subscription: SubscribeOptions) => bus.subscribeAll!(topics.map(({ topic, handler }) => ({ topic, handler: inbound(topic, handler) })), subscription) }
      : {}),
    publishRaw: (topic, raw, key) => bus.publishRaw(topic, raw, key),
    ...healthOf(bus),
    rejected: () => bus.rejected(),
    close: () => bus.close(),
  };
}
