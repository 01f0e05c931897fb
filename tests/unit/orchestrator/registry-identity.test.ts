import { describe, expect, test } from "bun:test";
import { NodeRegistry } from "../../../src/orchestrator/registry.ts";
import type { Heartbeat, Register } from "../../../src/protocol/index.ts";

const T0 = 1_700_000_000_000;
const register = (node_id: string, extra: Partial<Register> = {}): Register => ({ node_id, node_IP: "10.0.0.7", message_type: "DRIVER_NODE_REGISTER", ...extra });
const beat = (node_id: string, instance_id: string | undefined, timestamp: number): Heartbeat => ({
  node_id,
  heartbeat: "YES",
  timestamp,
  ...(instance_id !== undefined ? { instance_id } : {}),
});
const kinds = (events: { event: string }[]) => events.map((e) => e.event);
const registry = (extra: Partial<ConstructorParameters<typeof NodeRegistry>[0]> = {}) => new NodeRegistry({ heartbeatIntervalMs: 1000, deadAfterMs: 3000, ...extra });

describe("NodeRegistry: two processes with one node_id", () => {
  test("flags a conflict when the older instance beats after the newer one's first beat, and keeps the node out of new tests", () => {
    const nodes = registry();
    nodes.register(register("d1", { instance_id: "a" }), T0);
    nodes.register(register("d2", { instance_id: "x" }), T0);
    expect(nodes.heartbeat(beat("d1", "a", T0), T0)).toEqual([]);
    expect(nodes.heartbeat(beat("d1", "b", T0 + 500), T0 + 500)).toEqual([]);
    const events = nodes.heartbeat(beat("d1", "a", T0 + 1000), T0 + 1000);
    expect(kinds(events)).toEqual(["conflict"]);
    expect(nodes.get("d1")!.conflict).toEqual({ instances: ["a", "b"], since: T0 + 1000, last_seen_at: T0 + 1000 });
    expect(nodes.liveIds()).toEqual(["d2"]);
    expect(nodes.conflictedIds()).toEqual(["d1"]);
    expect(nodes.statusCounts()).toEqual({ alive: 2, suspect: 0, dead: 0, left: 0, conflict: 1, verifying: 0 });
  });

  test("a crashed driver restarted at once under its id is no conflict: the old instance never beats after the new one", () => {
    const nodes = registry();
    nodes.heartbeat(beat("d1", "a", T0), T0);
    nodes.heartbeat(beat("d1", "a", T0 + 1000), T0 + 1000);
    // kill -9, restart 200 ms later with a new instance
    expect(nodes.heartbeat(beat("d1", "b", T0 + 1200), T0 + 1200)).toEqual([]);
    expect(nodes.heartbeat(beat("d1", "b", T0 + 2200), T0 + 2200)).toEqual([]);
    expect(nodes.get("d1")).toMatchObject({ status: "alive", conflict: null, instance_id: "b" });
    expect(nodes.liveIds()).toEqual(["d1"]);
  });

  test("the twin that stands down deregisters without making the node leave; the conflict ends deadAfterMs after it was last seen", () => {
    const nodes = registry();
    nodes.heartbeat(beat("d1", "a", T0), T0);
    nodes.heartbeat(beat("d1", "b", T0 + 100), T0 + 100);
    expect(kinds(nodes.heartbeat(beat("d1", "a", T0 + 1000), T0 + 1000))).toEqual(["conflict"]);
    expect(nodes.register(register("d1", { message_type: "DRIVER_NODE_DEREGISTER", instance_id: "b" }), T0 + 1100)).toEqual([]);
    expect(nodes.get("d1")).toMatchObject({ status: "alive", instance_id: "a" });
    // A trailing beat of the instance that left is an echo, not a return.
    expect(nodes.heartbeat(beat("d1", "b", T0 + 1150), T0 + 1150)).toEqual([]);
    nodes.heartbeat(beat("d1", "a", T0 + 2000), T0 + 2000);
    nodes.heartbeat(beat("d1", "a", T0 + 3000), T0 + 3000);
    expect(nodes.sweep(T0 + 3999)).toEqual([]);
    expect(nodes.get("d1")!.conflict).not.toBeNull();
    const resolved = nodes.sweep(T0 + 4000);
    expect(kinds(resolved)).toEqual(["resolved"]);
    expect(nodes.get("d1")).toMatchObject({ status: "alive", conflict: null });
    expect(nodes.liveIds()).toEqual(["d1"]);
    expect(nodes.get("d1")!.history.map((h) => h.event)).toEqual(["joined", "conflict", "resolved"]);
  });

  test("the last instance to deregister makes the node leave, as before", () => {
    const nodes = registry();
    nodes.register(register("d1", { instance_id: "a" }), T0);
    nodes.heartbeat(beat("d1", "a", T0), T0);
    expect(kinds(nodes.register(register("d1", { message_type: "DRIVER_NODE_DEREGISTER", instance_id: "a" }), T0 + 10))).toEqual(["left"]);
  });

  test("heartbeats without instance_id never make a conflict (drivers from before it)", () => {
    const nodes = registry();
    expect(kinds(nodes.heartbeat(beat("d1", undefined, T0), T0))).toEqual(["joined"]);
    for (let i = 1; i < 5; i++) expect(nodes.heartbeat(beat("d1", undefined, T0 + i * 100), T0 + i * 100)).toEqual([]);
    expect(nodes.get("d1")).toMatchObject({ conflict: null, instance_id: null });
  });

  test("a flood of instance ids for one node keeps at most 8 of them", () => {
    const nodes = registry();
    for (let i = 0; i < 100; i++) {
      nodes.heartbeat(beat("d1", `i${i}`, T0 + i), T0 + i);
      nodes.heartbeat(beat("d1", "old", T0 + i), T0 + i);
    }
    expect(nodes.get("d1")!.conflict!.instances).toContain("old");
    expect(nodes.get("d1")!.conflict!.instances.length).toBeLessThanOrEqual(8);
  });

  test("tells a node that never registered from one that did", () => {
    const nodes = registry();
    expect(nodes.isUnregistered("d1")).toBe(true);
    nodes.heartbeat(beat("d1", "a", T0), T0);
    expect(nodes.isUnregistered("d1")).toBe(true);
    nodes.register(register("d1"), T0);
    expect(nodes.isUnregistered("d1")).toBe(false);
  });
});

describe("NodeRegistry memory", () => {
  test("forgets a dead node forgetDeadAfterMs after it died, never a live one", () => {
    const nodes = registry({ forgetDeadAfterMs: 60_000 });
    nodes.register(register("gone"), T0);
    nodes.register(register("live"), T0);
    nodes.sweep(T0 + 3000);
    expect(nodes.get("gone")!.status).toBe("dead");
    for (let t = T0 + 1000; t <= T0 + 70_000; t += 1000) nodes.heartbeat(beat("live", undefined, t), t);
    expect(nodes.forget(T0 + 62_999)).toEqual([]);
    const forgotten = nodes.forget(T0 + 63_000);
    expect(forgotten.map((e) => [e.event, e.node.node_id])).toEqual([["forgotten", "gone"]]);
    expect(nodes.get("gone")).toBeUndefined();
    expect(nodes.list().map((n) => n.node_id)).toEqual(["live"]);
  });

  test("keeps at most maxDeadNodes dead nodes, forgetting the longest-dead first", () => {
    const nodes = registry({ maxDeadNodes: 2 });
    for (const [i, id] of ["a", "b", "c", "d"].entries()) {
      nodes.heartbeat(beat(id, undefined, T0 + i * 10), T0 + i * 10);
      nodes.sweep(T0 + i * 10 + 3000);
    }
    expect(nodes.forget(T0 + 4000).map((e) => e.node.node_id)).toEqual(["a", "b"]);
    expect(nodes.list().map((n) => n.node_id)).toEqual(["c", "d"]);
  });

  test("delete removes a node at once and says so; an unknown id changes nothing", () => {
    const nodes = registry();
    nodes.register(register("d1"), T0);
    expect(nodes.delete("nope")).toEqual([]);
    expect(kinds(nodes.delete("d1"))).toEqual(["deleted"]);
    expect(nodes.size()).toBe(0);
  });

  test("pages list live nodes first, then the dead, each by node_id, with the total", () => {
    const nodes = registry();
    for (const id of ["a-dead", "b-dead"]) nodes.register(register(id), T0);
    nodes.sweep(T0 + 3000);
    for (const id of ["z-live", "c-live"]) nodes.register(register(id), T0 + 3000);
    expect(nodes.page(3, 0)).toMatchObject({ total: 4, nodes: [{ node_id: "c-live" }, { node_id: "z-live" }, { node_id: "a-dead" }] });
    expect(nodes.page(3, 3).nodes.map((n) => n.node_id)).toEqual(["b-dead"]);
  });
});

describe("NodeRegistry: drivers that verify signatures", () => {
  test("counts live drivers that said they verify, and stops counting one once it is dead (what /metrics reports)", () => {
    const nodes = registry();
    nodes.register(register("d1", { verifies_signatures: true }), T0);
    nodes.register(register("d2", { verifies_signatures: false }), T0);
    nodes.register(register("d3"), T0);
    expect(nodes.statusCounts().verifying).toBe(1);
    nodes.heartbeat({ ...beat("d2", undefined, T0 + 500), verifies_signatures: true }, T0 + 500);
    expect(nodes.statusCounts().verifying).toBe(2);
    nodes.heartbeat(beat("d2", undefined, T0 + 3_500), T0 + 3_500);
    nodes.sweep(T0 + 3_600);
    expect(nodes.statusCounts()).toMatchObject({ dead: 2, verifying: 1 });
  });
});
