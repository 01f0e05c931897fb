import type { NodeStatus } from "./node-status.ts";
import type { NodeView } from "./registry.ts";

/** A page of nodes and how many there are in all. */
export interface NodePage {
  nodes: NodeView[];
  total: number;
}

/** How many nodes have each status, how many are in conflict, and how many live ones verify signatures. */
export type StatusCounts = Record<NodeStatus, number> & { conflict: number; verifying: number };

/** Order of a node page: the live ones (alive, suspect) first, then the dead and departed, each by node_id. */
export function liveFirst(a: NodeView, b: NodeView): number {
  const rank = (n: NodeView) => (n.status === "alive" || n.status === "suspect" ? 0 : 1);
  return rank(a) - rank(b) || a.node_id.localeCompare(b.node_id);
}

/** Counts nodes by status, those in conflict, and the live ones that refuse unsigned commands. */
export function countStatuses(nodes: Iterable<NodeView>): StatusCounts {
  const counts = { alive: 0, suspect: 0, dead: 0, left: 0, conflict: 0, verifying: 0 };
  for (const node of nodes) {
    counts[node.status]++;
    if (node.conflict) counts.conflict++;
    if (node.verifies_signatures === true && node.status !== "dead" && node.status !== "left") counts.verifying++;
  }
  return counts;
}
