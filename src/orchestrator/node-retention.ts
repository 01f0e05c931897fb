import type { NodeView } from "./registry.ts";

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

/** How {@link forgettable} judges: retention, cap, and whether unregistered nodes are at their cap. */
export interface RetentionRule {
  /** A dead or departed node goes this long after it died or left. */
  retentionMs: number;
  /** Most dead or departed nodes kept. */
  cap: number;
  /** Unregistered nodes at their cap: the dead ones go first, to make room for live ones. */
  unregisteredFull: boolean;
}

/**
 * The dead and departed nodes to forget: those dead or gone for `retentionMs`, then, while more
 * than `cap` remain, the longest-dead. Live nodes are never forgotten.
 */
export function forgettable<T extends NodeView & { registered: boolean }>(nodes: Iterable<T>, now: number, rule: RetentionRule): T[] {
  const gone: T[] = [];
  const kept: T[] = [];
  for (const node of nodes) {
    if (node.status !== "dead" && node.status !== "left") continue;
    (now - node.status_since >= rule.retentionMs || (rule.unregisteredFull && !node.registered) ? gone : kept).push(node);
  }
  if (kept.length > rule.cap) {
    kept.sort((a, b) => a.status_since - b.status_since || a.node_id.localeCompare(b.node_id));
    gone.push(...kept.slice(0, kept.length - rule.cap));
  }
  return gone;
}
