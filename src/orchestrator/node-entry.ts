import type { InstanceSeen } from "./node-instances.ts";
import type { NodeConflict } from "./node-status.ts";
import type { NodeView } from "./registry.ts";

/** The registry's record of a node: its view and what only the registry needs. */
export interface Entry extends NodeView {
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

/** A node first heard of now (from a registration or a heartbeat), alive and not yet registered. */
export function newEntry(nodeId: string, nodeIP: string | undefined, now: number): Entry {
  return {
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
}

/** A node restored from the store: silent ones come back as `dead`. */
export function entryFromView(view: NodeView): Entry {
  return {
    ...view,
    status: view.status === "left" ? "left" : "dead",
    history: [...view.history],
    instance_id: view.instance_id ?? null,
    conflict: null,
    left_timestamp: null,
    registered: true,
    instances: new Map(),
    left_instances: [],
  };
}

/**
 * Beats that trail a deregistration: one sent before it can arrive after it (another topic),
 * and a stopping driver may beat until it exits. A node that left comes back at once with a
 * registration; a heartbeat (sent at `timestamp`) brings it back only `deadAfterMs` after it left.
 */
export function echoOfLeaving(node: Entry, timestamp: number, now: number, deadAfterMs: number): boolean {
  if (node.left_timestamp !== null && timestamp <= node.left_timestamp) return true;
  return now - node.status_since < deadAfterMs;
}
