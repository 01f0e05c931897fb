import type { NodeView } from "./registry.ts";

/** Liveness of a driver: `left` is a clean goodbye, `dead` a silence of `deadAfterMs`. */
export type NodeStatus = "alive" | "suspect" | "dead" | "left";

/**
 * Changes the registry announces; `suspect` and `recovered` are not kept in the history.
 * `conflict`: two live driver processes use the node_id; `resolved`: only one is left.
 * `forgotten` (retention) and `deleted` (DELETE /nodes/:id): the node is no longer known.
 */
export type NodeEventKind = "joined" | "left" | "died" | "returned" | "suspect" | "recovered" | "conflict" | "resolved" | "forgotten" | "deleted";

/** Events worth remembering in a node's history. */
export const HISTORY_EVENTS = new Set<NodeEventKind>(["joined", "left", "died", "returned", "conflict", "resolved"]);

/** Two or more live driver processes with one node_id. */
export interface NodeConflict {
  /** The instance ids seen beating at once, sorted. */
  instances: string[];
  /** When the conflict was first seen. */
  since: number;
  /** Last heartbeat that showed it; it is over `deadAfterMs` after this. */
  last_seen_at: number;
}

/** A change of one node, with the node as it is after it. */
export interface NodeEvent {
  event: NodeEventKind;
  node: NodeView;
}

/** Adds an event to a node's history if it is one worth remembering, keeping the newest `limit`. */
export function remember(node: Pick<NodeView, "history">, event: NodeEventKind, at: number, limit: number): void {
  if (!HISTORY_EVENTS.has(event)) return;
  node.history.push({ event, at });
  if (node.history.length > limit) node.history.splice(0, node.history.length - limit);
}
