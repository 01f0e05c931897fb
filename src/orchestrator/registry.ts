import type { ClockTwin, Heartbeat, Register } from "../protocol/index.ts";
import { nodeClockOf, type NodeClock } from "./node-clock.ts";

import { echoOfLeaving, entryFromView, newEntry, type Entry } from "./node-entry.ts";
import { leaveInstance, noteInstance, twinsOf } from "./node-instances.ts";
import { forgettable, FORGET_DEAD_AFTER_MS, MAX_DEAD_NODES, MAX_UNREGISTERED_NODES } from "./node-retention.ts";
import { remember, type NodeConflict, type NodeEvent, type NodeEventKind, type NodeStatus } from "./node-status.ts";
import { countStatuses, liveFirst, type NodePage, type StatusCounts } from "./node-queries.ts";

export { FORGET_DEAD_AFTER_MS, MAX_DEAD_NODES, MAX_UNREGISTERED_NODES } from "./node-retention.ts";
export type { NodeConflict, NodeEvent, NodeEventKind, NodeStatus } from "./node-status.ts";
export type { NodePage, StatusCounts } from "./node-queries.ts";

/** One driver as the orchestrator knows it (also the `/nodes` entry and what the store keeps). */
export interface NodeView {
  node_id: string;
  node_IP: string;
  version: string | null;
  status: NodeStatus;
  /** When the node entered its current status. */
  status_since: number;
  first_seen_at: number;
  /** Orchestrator time of the last heartbeat or registration. */
  last_heartbeat_at: number;
  /** What the driver said in its last heartbeat. */
  driver_state: "idle" | "running" | null;
  current_test_id: string | null;
  /** The test `requests_sent` belongs to: the current one, or the last one. */
  last_test_id: string | null;
  requests_sent: number;
  history: { event: NodeEventKind; at: number }[];
  /** Whether the driver refuses unsigned commands (from its register and heartbeats); absent until it says. */
  verifies_signatures?: boolean;
  /** Driver process of the latest heartbeat or registration (null for drivers that send none). */
  instance_id?: string | null;
  /** Set while two driver processes use this node_id: the node takes part in no new test. */
  conflict?: NodeConflict | null;
  /** The driver's clock offset as it last reported it, flagged when off (see node-clock.ts); absent for drivers that do not measure it. */
  clock?: NodeClock;
}


export interface RegistryOptions {
  /** How often drivers beat; a node is `suspect` after 1.5 missed intervals. */
  heartbeatIntervalMs: number;
  /** Silence after which a node is `dead` (default 3 s: three missed beats). */
  deadAfterMs: number;
  /** Longest history kept per node. */
  historyLimit?: number;
  /** A dead or departed node is forgotten this long after it died or left (default 24 h). */
  forgetDeadAfterMs?: number;
  /** Most dead or departed nodes kept; the longest-dead beyond it are forgotten (default 10,000). */
  maxDeadNodes?: number;
  /** Most nodes known from heartbeats alone (default 1,000); see MAX_UNREGISTERED_NODES. */
  maxUnregisteredNodes?: number;
  /** A driver whose clock is off by more than this is flagged (default CLOCK_WARN_MS). */
  clockWarnMs?: number;
}


/** Every driver ever seen and its liveness; pure: time comes in as `now`. */
export class NodeRegistry {
  private readonly nodes = new Map<string, Entry>();
  private readonly historyLimit: number;
  /** Counts every heartbeat, to order the instances of a node. */
  private beatSeq = 0;
  /** Nodes known now that never registered. */
  private unregistered = 0;

  constructor(private readonly options: RegistryOptions) {
    this.historyLimit = options.historyLimit ?? 50;
  }

  /** Restores nodes from the store: silent ones come back as `dead` without an event. */
  load(views: NodeView[]): void {
    for (const view of views) this.nodes.set(view.node_id, entryFromView(view));
  }

  register(message: Register, now: number): NodeEvent[] {
    if (message.message_type === "DRIVER_NODE_DEREGISTER") return this.deregister(message, now);
    const { node, events } = this.touch(message.node_id, message.node_IP, now);
    if (message.version) node.version = message.version;
    if (message.verifies_signatures !== undefined) node.verifies_signatures = message.verifies_signatures;
    if (!node.registered) {
      node.registered = true;
      this.unregistered--;
    }
    if (message.instance_id !== undefined) node.instance_id = message.instance_id;
    return events;
  }

  /** Whether a heartbeat for `nodeId` comes from a node that never registered (unknown, or known from heartbeats only). */
  isUnregistered(nodeId: string): boolean {
    return !(this.nodes.get(nodeId)?.registered ?? false);
  }

  /** Whether a heartbeat from `nodeId` is taken: a known node always, an unknown one while there is room (maxUnregisteredNodes). */
  admits(nodeId: string): boolean {
    return this.nodes.has(nodeId) || this.unregistered < (this.options.maxUnregisteredNodes ?? MAX_UNREGISTERED_NODES);
  }

  heartbeat(message: Heartbeat, now: number): NodeEvent[] {
    const known = this.nodes.get(message.node_id);
    if (known?.status === "left" && echoOfLeaving(known, message.timestamp, now, this.options.deadAfterMs)) return [];
    if (known && message.instance_id !== undefined && known.left_instances.includes(message.instance_id)) return [];
    const { node, events } = this.touch(message.node_id, message.node_IP, now);
    if (message.instance_id !== undefined && noteInstance(node, message.instance_id, this.beatSeq++, now, this.options.deadAfterMs, message.started_at)) events.push(this.mark(node, "conflict", now));
    node.driver_state = message.state ?? null;
    if (message.verifies_signatures !== undefined) node.verifies_signatures = message.verifies_signatures;
    if (message.state === "running" && message.test_id) node.current_test_id = message.test_id;
    if (message.state === "idle") node.current_test_id = null;
    const clock = nodeClockOf(message, this.options.clockWarnMs);
    if (clock) node.clock = clock;
    return events;
  }

  /**
   * Any other message from a known node (a report, a driver event) is a sign of life too, so
   * a lagging heartbeat partition cannot kill a node that is visibly working. It never brings
   * back a node that left: its final report may trail its goodbye.
   */
  sawActivity(nodeId: string, now: number): NodeEvent[] {
    const node = this.nodes.get(nodeId);
    if (!node || node.status === "left") return [];
    return this.touch(nodeId, undefined, now).events;
  }

  /** Marks silent nodes suspect or dead, and ends conflicts no longer seen; call it on every tick. */
  sweep(now: number): NodeEvent[] {
    const events: NodeEvent[] = [];
    for (const node of this.nodes.values()) {
      if (node.conflict !== null && now - node.conflict.last_seen_at >= this.options.deadAfterMs) {
        node.conflict = null;
        events.push(this.mark(node, "resolved", now));
      }
      if (node.status === "left" || node.status === "dead") continue;
      const silentMs = now - node.last_heartbeat_at;
      if (silentMs >= this.options.deadAfterMs) {
        node.current_test_id = null;
        events.push(this.transition(node, "dead", "died", now));
      } else if (node.status === "alive" && silentMs > 1.5 * this.options.heartbeatIntervalMs) {
        events.push(this.transition(node, "suspect", "suspect", now));
      }
    }
    return events;
  }

  /** Records how many requests a node has sent in a test (from its latest report). */
  noteSent(nodeId: string, testId: string, sent: number): void {
    const node = this.nodes.get(nodeId);
    if (!node) return;
    node.last_test_id = testId;
    node.requests_sent = sent;
  }

  get(nodeId: string): NodeView | undefined {
    const node = this.nodes.get(nodeId);
    return node ? view(node) : undefined;
  }

  /** Every node, sorted by node_id. */
  list(): NodeView[] {
    return [...this.nodes.values()].sort((a, b) => a.node_id.localeCompare(b.node_id)).map(view);
  }

  /** How many nodes are known. */
  size(): number {
    return this.nodes.size;
  }

  /**
   * One page of nodes: the live ones (alive, suspect) first, then the dead and departed, each
   * by node_id, so a crowd of dead nodes never pushes a working driver off the first page.
   */
  page(limit: number, offset: number): NodePage {
    const sorted = [...this.nodes.values()].sort(liveFirst);
    return { nodes: sorted.slice(offset, offset + limit).map(view), total: sorted.length };
  }

  /** How many nodes have each status, and how many are in conflict. */
  statusCounts(): StatusCounts {
    return countStatuses(this.nodes.values());
  }

  /**
   * node_ids of the nodes that may take part in a new test, sorted: `alive` and `suspect`
   * ones (a beat or two late is not dead; one late heartbeat must not drop a driver), and
   * not in conflict (two processes with one id would run the test twice under one name).
   */
  liveIds(): string[] {
    return this.list()
      .filter((n) => (n.status === "alive" || n.status === "suspect") && !n.conflict)
      .map((n) => n.node_id);
  }

  /** The conflicts for the clock message's `twins` (see twinsOf). */
  twins(): ClockTwin[] {
    return twinsOf(this.nodes.values());
  }

  /** node_ids now in conflict, sorted. */
  conflictedIds(): string[] {
    return [...this.nodes.values()].filter((n) => n.conflict !== null).map((n) => n.node_id).sort();
  }

  /**
   * Forgets dead and departed nodes: those dead or gone for `forgetDeadAfterMs`, then, while
   * more than `maxDeadNodes` remain, the longest-dead. Live nodes are never forgotten.
   * Returns a `forgotten` event for each.
   */
  forget(now: number): NodeEvent[] {
    const full = this.unregistered >= (this.options.maxUnregisteredNodes ?? MAX_UNREGISTERED_NODES);
    const gone = forgettable(this.nodes.values(), now, {
      retentionMs: this.options.forgetDeadAfterMs ?? FORGET_DEAD_AFTER_MS,
      cap: this.options.maxDeadNodes ?? MAX_DEAD_NODES,
      unregisteredFull: full,
    });
    return gone.map((node) => {
      this.remove(node);
      return { event: "forgotten" as const, node: view(node) };
    });
  }

  /** Removes a node at once (DELETE /nodes/:id); the caller checks it is in no running test. */
  delete(nodeId: string): NodeEvent[] {
    const node = this.nodes.get(nodeId);
    if (!node) return [];
    this.remove(node);
    return [{ event: "deleted", node: view(node) }];
  }

  private remove(node: Entry): void {
    this.nodes.delete(node.node_id);
    if (!node.registered) this.unregistered--;
  }

  private deregister(message: Register, now: number): NodeEvent[] {
    const node = this.nodes.get(message.node_id);
    if (!node || node.status === "left") return [];
    const instance = message.instance_id;
    if (instance !== undefined) {
      // One of two processes left (a twin that stood down): the node itself stays.
      const other = leaveInstance(node, instance, now, this.options.deadAfterMs);
      if (other !== undefined) {
        node.instance_id = other;
        return [];
      }
    }
    node.left_timestamp = message.timestamp ?? null;
    node.current_test_id = null;
    return [this.transition(node, "left", "left", now)];
  }

  /** A sign of life: creates the node or brings it back. */
  private touch(nodeId: string, nodeIP: string | undefined, now: number): { node: Entry; events: NodeEvent[] } {
    let node = this.nodes.get(nodeId);
    const events: NodeEvent[] = [];
    if (!node) {
      node = newEntry(nodeId, nodeIP, now);
      this.nodes.set(nodeId, node);
      this.unregistered++;
      remember(node, "joined", now, this.historyLimit);
      events.push({ event: "joined", node: view(node) });
    } else if (node.status === "dead" || node.status === "left") {
      node.left_timestamp = null;
      events.push(this.transition(node, "alive", "returned", now));
    } else if (node.status === "suspect") {
      events.push(this.transition(node, "alive", "recovered", now));
    }
    node.last_heartbeat_at = Math.max(node.last_heartbeat_at, now);
    if (nodeIP) node.node_IP = nodeIP;
    // The event carries the node as it is after this message.
    for (const event of events) event.node = view(node);
    return { node, events };
  }

  private transition(node: Entry, status: NodeStatus, event: NodeEventKind, now: number): NodeEvent {
    node.status = status;
    node.status_since = now;
    remember(node, event, now, this.historyLimit);
    return { event, node: view(node) };
  }

  /** An event that leaves the status as it is. */
  private mark(node: Entry, event: NodeEventKind, now: number): NodeEvent {
    remember(node, event, now, this.historyLimit);
    return { event, node: view(node) };
  }
}

/** A copy of an entry without its private fields. */
function view(node: Entry): NodeView {
  const { left_timestamp: _left, registered: _registered, instances: _instances, left_instances: _leftInstances, history, conflict, ...rest } = node;
  return {
    ...rest,
    history: history.map((h) => ({ ...h })),
    conflict: conflict === null ? null : { ...conflict, instances: [...conflict.instances] },
    ...(node.clock ? { clock: { ...node.clock } } : {}),
  };
}
