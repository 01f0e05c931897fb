import { CLOCK_TWIN_INSTANCES_MAX, CLOCK_TWINS_MAX, type ClockTwin } from "../protocol/index.ts";
import type { Entry } from "./node-entry.ts";

/** Instances remembered per node_id (a flood of instance ids for one node cannot grow it). */
export const INSTANCES_KEPT = 8;

/** What the registry knows of one driver process of a node. */
export interface InstanceSeen {
  /** Order of its first and last heartbeat among all heartbeats (one partition per node_id keeps it). */
  first_seq: number;
  last_seq: number;
  last_at: number;
  /** The process's start time, from its heartbeats (`started_at`), when they say it. */
  started_at?: number;
}

/**
 * Notes a heartbeat of one driver process and finds conflicts: an instance that beats after
 * a newer instance's first beat is alive next to it (a restarted process never beats after
 * its successor's first beat: the beats of a node_id share one partition, so they arrive in
 * the order they were written). Instances silent for `deadAfterMs` are forgotten.
 * Returns true when a conflict starts with this beat (the caller announces it).
 */
export function noteInstance(node: Entry, instanceId: string, seq: number, now: number, deadAfterMs: number, startedAt?: number): boolean {
  for (const [id, seen] of node.instances) if (now - seen.last_at >= deadAfterMs) node.instances.delete(id);
  const seen = node.instances.get(instanceId);
  if (seen) Object.assign(seen, { last_seq: seq, last_at: now });
  else node.instances.set(instanceId, { first_seq: seq, last_seq: seq, last_at: now });
  if (startedAt !== undefined) node.instances.get(instanceId)!.started_at = startedAt;
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
  if (overlapping.size < 2) return false;
  const instances = [...new Set([...(node.conflict?.instances ?? []), ...overlapping])].sort();
  if (node.conflict !== null) {
    Object.assign(node.conflict, { instances: instances.slice(-INSTANCES_KEPT), last_seen_at: now });
    return false;
  }
  node.conflict = { instances, since: now, last_seen_at: now };
  return true;
}

/** Forgets an instance that deregistered; returns the node's newest other instance still beating, if any. */
export function leaveInstance(node: Entry, instance: string, now: number, deadAfterMs: number): string | undefined {
  node.instances.delete(instance);
  node.left_instances.push(instance);
  if (node.left_instances.length > INSTANCES_KEPT) node.left_instances.shift();
  const others = [...node.instances.entries()].filter(([, seen]) => now - seen.last_at < deadAfterMs);
  return others.sort((a, b) => b[1].last_seq - a[1].last_seq)[0]?.[0];
}

/**
 * The node_ids in conflict, each with its conflicting instances and their start times (null when
 * unknown), for the clock message's `twins`: what lets each driver find out it is the younger twin
 * without reading the fleet's heartbeats. At most CLOCK_TWINS_MAX nodes (the most recently seen).
 */
export function twinsOf(nodes: Iterable<Entry>): ClockTwin[] {
  const conflicted = [...nodes].filter((n) => n.conflict !== null).sort((a, b) => b.conflict!.last_seen_at - a.conflict!.last_seen_at);
  return conflicted.slice(0, CLOCK_TWINS_MAX).map((node) => ({
    node_id: node.node_id,
    instances: node.conflict!.instances.slice(-CLOCK_TWIN_INSTANCES_MAX).map((id) => ({ instance_id: id, started_at: node.instances.get(id)?.started_at ?? null })),
  }));
}
