// The orchestrator's side of the drivers' register and heartbeat topics: registry changes
// announced (hub, store, log), conflicts warned about on their tests, unregistered heartbeats
// counted and bounded, and a heartbeat without `timestamp` (the brief lets it) timed at receipt.
import type { Logger } from "../log.ts";
import type { Register, WireHeartbeat } from "../protocol/index.ts";
import type { Clock } from "./clock.ts";
import type { EventHub, OrchestratorEvent } from "./event-hub.ts";
import type { LiveTest } from "./live-test.ts";
import { LogThrottle } from "./log-throttle.ts";
import type { NodeEvent, NodeRegistry, NodeStatus, NodeView } from "./registry.ts";
import type { OrchestratorStore } from "./store.ts";

/** Node figures for /metrics. */
export interface NodeCounters {
  by_status: Record<NodeStatus, number>;
  conflict: number;
  /** Live drivers that refuse unsigned commands (they said so in their register or heartbeats). */
  verifying: number;
  /** Heartbeats from node_ids no registration was received for. */
  unregistered_heartbeats: number;
  /** Of those, the ones refused: an unknown id while maxUnregisteredNodes such nodes are known. */
  unregistered_refused: number;
  /** Nodes forgotten after their retention (or beyond the cap) or deleted. */
  forgotten: number;
}

/** What the node intake works with (shared with the orchestrator). */
export interface NodeIntakeDeps {
  registry: NodeRegistry;
  store: OrchestratorStore;
  clock: Clock;
  log: Logger;
  events: EventHub<OrchestratorEvent>;
  live: ReadonlyMap<string, LiveTest>;
  /** A heartbeat says `nodeId` runs `testId` (the stop repeater listens). */
  onRunning: (testId: string, nodeId: string, now: number) => void;
  /**
   * An admitted heartbeat that carried its own `timestamp` (t1) was received at `now` (t2): the
   * clock offset exchange listens (see clock-exchange.ts). Not called for one timed at receipt.
   */
  onTimedHeartbeat?: (nodeId: string, t1: number, now: number) => void;
}

/** Registrations and heartbeats in, node events out. */
export interface NodeIntake {
  /** Emits, stores and logs registry changes (one store transaction for a whole sweep). */
  announce(nodeEvents: NodeEvent[]): void;
  onRegister(message: Register): void;
  /** A heartbeat as it came off the bus (the brief's may have no `timestamp`). */
  onHeartbeat(message: WireHeartbeat): void;
  /** Logs the node events held back by the throttle; call it on every tick. */
  drainLogs(now: number): void;
  counters(): NodeCounters;
}

/** Builds the node intake. */
export function createNodeIntake({ registry, store, clock, log, events, live, onRunning, onTimedHeartbeat }: NodeIntakeDeps): NodeIntake {
  /** At most a few log lines a second per kind of node event; the rest are summed up. */
  const nodeLogs = new LogThrottle();
  let unregisteredHeartbeats = 0;
  let unregisteredRefused = 0;
  let forgottenNodes = 0;

  /** Two processes with one node_id: said loudly, and on every test it takes part in. */
  const onConflict = (node: NodeView) => {
    const instances = node.conflict?.instances.join(", ") ?? "";
    log.warn("two driver processes use one node_id: it takes part in no new test until one stops", { node_id: node.node_id, instances });
    for (const test of live.values()) {
      if (test.participants.has(node.node_id)) test.warn(`node ${node.node_id} had two live driver processes during this test (instances ${instances})`);
    }
  };

  const announce = (nodeEvents: NodeEvent[]) => {
    if (nodeEvents.length === 0) return;
    const now = clock.now();
    const gone: string[] = [];
    const changed: NodeView[] = [];
    for (const { event, node } of nodeEvents) {
      if (event === "forgotten" || event === "deleted") gone.push(node.node_id);
      else changed.push(node);
      if (event === "conflict") onConflict(node);
      else if (nodeLogs.allow(`node ${event}`, now)) log.info(`node ${event}`, { node_id: node.node_id, node_IP: node.node_IP, status: node.status });
      events.emit({ type: "node", event, node });
    }
    // One transaction for a whole sweep (a flood of ids dies at once).
    if (changed.length === 1) store.saveNode(changed[0]!);
    else store.saveNodes(changed);
    if (gone.length > 0) {
      forgottenNodes += gone.length;
      store.deleteNodes(gone);
    }
  };

  const onHeartbeat = (message: WireHeartbeat) => {
    const now = clock.now();
    if (registry.isUnregistered(message.node_id)) {
      unregisteredHeartbeats++;
      if (nodeLogs.allow("heartbeats from unregistered nodes", now)) {
        log.info("heartbeat from a node that never registered", { node_id: message.node_id, total: unregisteredHeartbeats });
      }
      if (!registry.admits(message.node_id)) return void unregisteredRefused++;
    }
    if (message.timestamp !== undefined) onTimedHeartbeat?.(message.node_id, message.timestamp, now);
    // The brief's heartbeat may come without a timestamp: it takes the time it was received.
    announce(registry.heartbeat({ ...message, timestamp: message.timestamp ?? now }, now));
    if (message.state === "running" && message.test_id) {
      live.get(message.test_id)?.touch(message.node_id, now);
      onRunning(message.test_id, message.node_id, now);
    }
  };

  return {
    announce,
    onRegister: (message) => announce(registry.register(message, clock.now())),
    onHeartbeat,
    drainLogs(now) {
      for (const { key, count } of nodeLogs.drain(now)) log.info(`${key}: ${count} more in the last second, not logged one by one`, { count });
    },
    counters() {
      const { conflict, verifying, ...by_status } = registry.statusCounts();
      return { by_status, conflict, verifying, unregistered_heartbeats: unregisteredHeartbeats, unregistered_refused: unregisteredRefused, forgotten: forgottenNodes };
    },
  };
}
