import type { Heartbeat, Register } from "../protocol/index.ts";
import { nodeClockOf, type NodeClock } from "./node-clock.ts";

/** Liveness of a driver: `left` is a clean goodbye, `dead` a silence of `deadAfterMs`. */
export type NodeStatus = "alive" | "suspect" | "dead" | "left";

/**
 * Changes the registry announces; `suspect` and `recovered` are not kept in the history.
 * `conflict`: two live driver processes use the node_id; `resolved`: only one is left.
 * `forgotten` (retention) and `deleted` (DELETE /nodes/:id): the node is no longer known.
 */
export type NodeEventKind = "joined" | "left" | "died" | "returned" | "suspect" | "recovered" | "conflict" | "resolved" | "forgotten" | "deleted";

/** Events worth remembering in a node's history. */
const HISTORY_EVENTS = new Set<NodeEventKind>(["joined", "left", "died", "returned", "conflict", "resolved"]);

/** Instances remembered per node_id (a flood of instance ids for one node cannot grow it). */
const INSTANCES_KEPT = 8;

/** Default retention of a dead or departed node: 24 hours. */
export const FORGET_DEAD_AFTER_MS = 24 * 60 * 60 * 1000;

/** Default cap on dead and departed nodes kept; beyond it the longest-dead are forgotten first. */
export const MAX_DEAD_NODES = 10_000;

/**
 * Default cap on nodes known from heartbeats alone (never registered). Past it, a heartbeat
 * from another unknown id is refused (and counted by the caller) until some of them die and
 * are forgotten: a flood of made-up ids cannot fill the memory, however long it lasts.
 */
export const MAX_UNREGISTERED_NODES = 1_000;

/** Two or more live driver processes with one node_id. */
export interface NodeConflict {
  /** The instance ids seen beating at once, sorted. */
  instances: string[];
  /** When the conflict was first seen. */
  since: number;
  /** Last heartbeat that showed it; it is over `deadAfterMs` after this. */
  last_seen_at: number;
}

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

export interface NodeEvent {
  event: NodeEventKind;
  node: NodeView;
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

/** What the registry knows of one driver process of a node. */
interface InstanceSeen {
  /** Order of its first and last heartbeat among all heartbeats (one partition per node_id keeps it). */
  first_seq: number;
  last_seq: number;
  last_at: number;
}

interface Entry extends NodeView {
  instance_id: string | null;
  conflict: NodeConflict | null;
  /** The driver's own timestamp on its deregistration, to spot heartbeats sent before it. */
  left_timestamp: number | null;
  /** Whether a registration was ever received (false: known from heartbeats only). */
  registered: boolean;
  /** Driver processes recently heard beating, by instance id. */
  instances: Map<string, InstanceSeen>;
  /** Instances that deregistered: their trailing heartbeats are echoes. */
  left_instances: string[];
}

/** A page of nodes and how many there are in all. */
export interface NodePage {
  nodes: NodeView[];
  total: number;
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
    for (const view of views) {
      const status = view.status === "left" ? "left" : "dead";
      this.nodes.set(view.node_id, {
        ...view,
        status,
        history: [...view.history],
        instance_id: view.instance_id ?? null,
        conflict: null,
        left_timestamp: null,
        registered: true,
        instances: new Map(),
        left_instances: [],
      });
    }
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
    if (known?.status === "left" && this.echoOfLeaving(known, message, now)) return [];
    if (known && message.instance_id !== undefined && known.left_instances.includes(message.instance_id)) return [];
    const { node, events } = this.touch(message.node_id, message.node_IP, now);
    if (message.instance_id !== undefined) events.push(...this.noteInstance(node, message.instance_id, now));
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
    const rank = (n: Entry) => (n.status === "alive" || n.status === "suspect" ? 0 : 1);
    const sorted = [...this.nodes.values()].sort((a, b) => rank(a) - rank(b) || a.node_id.localeCompare(b.node_id));
    return { nodes: sorted.slice(offset, offset + limit).map(view), total: sorted.length };
  }

  /** How many nodes have each status, and how many are in conflict. */
  statusCounts(): Record<NodeStatus, number> & { conflict: number; verifying: number } {
    const counts = { alive: 0, suspect: 0, dead: 0, left: 0, conflict: 0, verifying: 0 };
    for (const node of this.nodes.values()) {
      counts[node.status]++;
      if (node.conflict !== null) counts.conflict++;
      if (node.verifies_signatures === true && node.status !== "dead" && node.status !== "left") counts.verifying++;
    }
    return counts;
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
    const retention = this.options.forgetDeadAfterMs ?? FORGET_DEAD_AFTER_MS;
    const cap = this.options.maxDeadNodes ?? MAX_DEAD_NODES;
    // Unregistered nodes at their cap: the dead ones go first, to make room for live ones.
    const full = this.unregistered >= (this.options.maxUnregisteredNodes ?? MAX_UNREGISTERED_NODES);
    const gone: Entry[] = [];
    const kept: Entry[] = [];
    for (const node of this.nodes.values()) {
      if (node.status !== "dead" && node.status !== "left") continue;
      (now - node.status_since >= retention || (full && !node.registered) ? gone : kept).push(node);
    }
    if (kept.length > cap) {
      kept.sort((a, b) => a.status_since - b.status_since || a.node_id.localeCompare(b.node_id));
      gone.push(...kept.slice(0, kept.length - cap));
    }
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
      node.instances.delete(instance);
      node.left_instances.push(instance);
      if (node.left_instances.length > INSTANCES_KEPT) node.left_instances.shift();
      // One of two processes left (a twin that stood down): the node itself stays.
      const others = [...node.instances.entries()].filter(([, seen]) => now - seen.last_at < this.options.deadAfterMs);
      if (others.length > 0) {
        node.instance_id = others.sort((a, b) => b[1].last_seq - a[1].last_seq)[0]![0];
        return [];
      }
    }
    node.left_timestamp = message.timestamp ?? null;
    node.current_test_id = null;
    return [this.transition(node, "left", "left", now)];
  }

  /**
   * Beats that trail a deregistration: one sent before it can arrive after it (another topic),
   * and a stopping driver may beat until it exits. A node that left comes back at once with a
   * registration; a heartbeat brings it back only `deadAfterMs` after it left.
   */
  private echoOfLeaving(node: Entry, message: Heartbeat, now: number): boolean {
    if (node.left_timestamp !== null && message.timestamp <= node.left_timestamp) return true;
    return now - node.status_since < this.options.deadAfterMs;
  }

  /** A sign of life: creates the node or brings it back. */
  private touch(nodeId: string, nodeIP: string | undefined, now: number): { node: Entry; events: NodeEvent[] } {
    let node = this.nodes.get(nodeId);
    const events: NodeEvent[] = [];
    if (!node) {
      node = {
        node_id: nodeId,
        node_IP: nodeIP ?? "",
        version: null,
        status: "alive",
        status_since: now,
        first_seen_at: now,
        last_heartbeat_at: now,
        driver_state: null,
        current_test_id: null,
        last_test_id: null,
        requests_sent: 0,
        history: [],
        instance_id: null,
        conflict: null,
        left_timestamp: null,
        registered: false,
        instances: new Map(),
        left_instances: [],
      };
      this.nodes.set(nodeId, node);
      this.unregistered++;
      this.remember(node, "joined", now);
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

  /**
   * Notes a heartbeat of one driver process and finds conflicts: an instance that beats after
   * a newer instance's first beat is alive next to it (a restarted process never beats after
   * its successor's first beat: the beats of a node_id share one partition, so they arrive in
   * the order they were written). Instances silent for `deadAfterMs` are forgotten.
   */
  private noteInstance(node: Entry, instanceId: string, now: number): NodeEvent[] {
    const seq = this.beatSeq++;
    for (const [id, seen] of node.instances) if (now - seen.last_at >= this.options.deadAfterMs) node.instances.delete(id);
    const seen = node.instances.get(instanceId);
    if (seen) Object.assign(seen, { last_seq: seq, last_at: now });
    else node.instances.set(instanceId, { first_seq: seq, last_seq: seq, last_at: now });
    if (node.instances.size > INSTANCES_KEPT) {
      const stalest = [...node.instances.entries()].sort((a, b) => a[1].last_seq - b[1].last_seq)[0]![0];
      node.instances.delete(stalest);
    }
    node.instance_id = instanceId;
    const overlapping = new Set<string>();
    for (const [olderId, older] of node.instances) {
      for (const [newerId, newer] of node.instances) {
        if (newer.first_seq > older.first_seq && older.last_seq > newer.first_seq) overlapping.add(olderId).add(newerId);
      }
    }
    if (overlapping.size < 2) return [];
    const instances = [...new Set([...(node.conflict?.instances ?? []), ...overlapping])].sort();
    if (node.conflict !== null) {
      Object.assign(node.conflict, { instances: instances.slice(-INSTANCES_KEPT), last_seen_at: now });
      return [];
    }
    node.conflict = { instances, since: now, last_seen_at: now };
    return [this.mark(node, "conflict", now)];
  }

  private transition(node: Entry, status: NodeStatus, event: NodeEventKind, now: number): NodeEvent {
    node.status = status;
    node.status_since = now;
    this.remember(node, event, now);
    return { event, node: view(node) };
  }

  /** An event that leaves the status as it is. */
  private mark(node: Entry, event: NodeEventKind, now: number): NodeEvent {
    this.remember(node, event, now);
    return { event, node: view(node) };
  }

  private remember(node: Entry, event: NodeEventKind, at: number): void {
    if (!HISTORY_EVENTS.has(event)) return;
    node.history.push({ event, at });
    if (node.history.length > this.historyLimit) node.history.splice(0, node.history.length - this.historyLimit);
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
