import type { Heartbeat, Register } from "../protocol/index.ts";
import { nodeClockOf, type NodeClock } from "./node-clock.ts";

/** Liveness of a driver: `left` is a clean goodbye, `dead` a silence of `deadAfterMs`. */
export type NodeStatus = "alive" | "suspect" | "dead" | "left";

/** Changes the registry announces; `suspect` and `recovered` are not kept in the history. */
export type NodeEventKind = "joined" | "left" | "died" | "returned" | "suspect" | "recovered";

/** Events worth remembering in a node's history. */
const HISTORY_EVENTS = new Set<NodeEventKind>(["joined", "left", "died", "returned"]);

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
  /** A driver whose clock is off by more than this is flagged (default CLOCK_WARN_MS). */
  clockWarnMs?: number;
}

interface Entry extends NodeView {
  /** The driver's own timestamp on its deregistration, to spot heartbeats sent before it. */
  left_timestamp: number | null;
}

/** Every driver ever seen and its liveness; pure: time comes in as `now`. */
export class NodeRegistry {
  private readonly nodes = new Map<string, Entry>();
  private readonly historyLimit: number;

  constructor(private readonly options: RegistryOptions) {
    this.historyLimit = options.historyLimit ?? 50;
  }

  /** Restores nodes from the store: silent ones come back as `dead` without an event. */
  load(views: NodeView[]): void {
    for (const view of views) {
      const status = view.status === "left" ? "left" : "dead";
      this.nodes.set(view.node_id, { ...view, status, history: [...view.history], left_timestamp: null });
    }
  }

  register(message: Register, now: number): NodeEvent[] {
    if (message.message_type === "DRIVER_NODE_DEREGISTER") return this.deregister(message, now);
    const { node, events } = this.touch(message.node_id, message.node_IP, now);
    if (message.version) node.version = message.version;
    if (message.verifies_signatures !== undefined) node.verifies_signatures = message.verifies_signatures;
    return events;
  }

  heartbeat(message: Heartbeat, now: number): NodeEvent[] {
    const known = this.nodes.get(message.node_id);
    if (known?.status === "left" && this.echoOfLeaving(known, message, now)) return [];
    const { node, events } = this.touch(message.node_id, message.node_IP, now);
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

  /** Marks silent nodes suspect or dead; call it on every tick. */
  sweep(now: number): NodeEvent[] {
    const events: NodeEvent[] = [];
    for (const node of this.nodes.values()) {
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

  /**
   * node_ids of the nodes that may take part in a new test, sorted: `alive` and `suspect`
   * ones (a beat or two late is not dead; one late heartbeat must not drop a driver).
   */
  liveIds(): string[] {
    return this.list().filter((n) => n.status === "alive" || n.status === "suspect").map((n) => n.node_id);
  }

  private deregister(message: Register, now: number): NodeEvent[] {
    const node = this.nodes.get(message.node_id);
    if (!node || node.status === "left") return [];
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
        left_timestamp: null,
      };
      this.nodes.set(nodeId, node);
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

  private transition(node: Entry, status: NodeStatus, event: NodeEventKind, now: number): NodeEvent {
    node.status = status;
    node.status_since = now;
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
  const { left_timestamp: _private, history, ...rest } = node;
  return { ...rest, history: history.map((h) => ({ ...h })), ...(node.clock ? { clock: { ...node.clock } } : {}) };
}
