import { describe, expect, test } from "bun:test";
import { NodeRegistry } from "../../../src/orchestrator/registry.ts";
import type { Heartbeat, Register } from "../../../src/protocol/index.ts";

const T0 = 1_700_000_000_000;
const register = (node_id: string, type: Register["message_type"] = "DRIVER_NODE_REGISTER", timestamp?: number): Register => ({
  node_id,
  node_IP: "10.0.0.7",
  message_type: type,
  ...(timestamp !== undefined ? { timestamp } : {}),
});
const beat = (node_id: string, timestamp: number, extra: Partial<Heartbeat> = {}): Heartbeat => ({ node_id, heartbeat: "YES", timestamp, ...extra });
const kinds = (events: { event: string }[]) => events.map((e) => e.event);

describe("NodeRegistry liveness", () => {
  test("goes alive → suspect → dead with missed heartbeats, and returns on the next beat", () => {
    const registry = new NodeRegistry({ heartbeatIntervalMs: 1000, deadAfterMs: 3000 });
    expect(kinds(registry.register(register("d1"), T0))).toEqual(["joined"]);
    expect(registry.sweep(T0 + 1500)).toEqual([]);
    expect(registry.get("d1")?.status).toBe("alive");
    expect(kinds(registry.sweep(T0 + 1501))).toEqual(["suspect"]);
    expect(registry.liveIds()).toEqual(["d1"]);
    expect(registry.sweep(T0 + 2999)).toEqual([]);
    expect(kinds(registry.sweep(T0 + 3000))).toEqual(["died"]);
    expect(registry.sweep(T0 + 10_000)).toEqual([]);
    expect(registry.liveIds()).toEqual([]);

    const back = registry.heartbeat(beat("d1", T0 + 11_000), T0 + 11_000);
    expect(kinds(back)).toEqual(["returned"]);
    expect(back[0]!.node.status).toBe("alive");
    expect(registry.get("d1")!.history.map((h) => [h.event, h.at])).toEqual([
      ["joined", T0],
      ["died", T0 + 3000],
      ["returned", T0 + 11_000],
    ]);
  });

  test("a suspect node that beats again recovers without a history entry", () => {
    const registry = new NodeRegistry({ heartbeatIntervalMs: 1000, deadAfterMs: 3000 });
    registry.register(register("d1"), T0);
    registry.sweep(T0 + 2000);
    expect(kinds(registry.heartbeat(beat("d1", T0 + 2100), T0 + 2100))).toEqual(["recovered"]);
    expect(registry.get("d1")!.history.map((h) => h.event)).toEqual(["joined"]);
  });

  test("deregistration marks the node left; it never dies afterwards", () => {
    const registry = new NodeRegistry({ heartbeatIntervalMs: 1000, deadAfterMs: 3000 });
    registry.register(register("d1"), T0);
    expect(kinds(registry.register(register("d1", "DRIVER_NODE_DEREGISTER", T0 + 500), T0 + 500))).toEqual(["left"]);
    expect(registry.sweep(T0 + 60_000)).toEqual([]);
    expect(registry.get("d1")?.status).toBe("left");
  });

  test("heartbeats trailing a deregistration do not bring the node back; a registration does", () => {
    const registry = new NodeRegistry({ heartbeatIntervalMs: 1000, deadAfterMs: 3000 });
    registry.register(register("d1"), T0);
    registry.register(register("d1", "DRIVER_NODE_DEREGISTER", T0 + 500), T0 + 600);
    expect(registry.heartbeat(beat("d1", T0 + 400), T0 + 700)).toEqual([]);
    expect(registry.heartbeat(beat("d1", T0 + 1500), T0 + 1500)).toEqual([]);
    expect(registry.get("d1")?.status).toBe("left");
    expect(kinds(registry.register(register("d1"), T0 + 2000))).toEqual(["returned"]);
  });

  test("a heartbeat long after a deregistration brings the node back (its registration was missed)", () => {
    const registry = new NodeRegistry({ heartbeatIntervalMs: 1000, deadAfterMs: 3000 });
    registry.register(register("d1"), T0);
    registry.register(register("d1", "DRIVER_NODE_DEREGISTER", T0 + 500), T0 + 500);
    expect(registry.heartbeat(beat("d1", T0 + 3499), T0 + 3499)).toEqual([]);
    expect(kinds(registry.heartbeat(beat("d1", T0 + 3500), T0 + 3500))).toEqual(["returned"]);
    expect(registry.get("d1")!.history.map((h) => h.event)).toEqual(["joined", "left", "returned"]);
  });

  test("a report or driver event keeps a node alive when its heartbeats lag, but never revives a node that left", () => {
    const registry = new NodeRegistry({ heartbeatIntervalMs: 1000, deadAfterMs: 3000 });
    registry.register(register("d1"), T0);
    registry.register(register("d2"), T0);
    expect(registry.sawActivity("d1", T0 + 2500)).toEqual([]);
    expect(kinds(registry.sweep(T0 + 3000))).toEqual(["died"]);
    expect(registry.get("d1")?.status).toBe("alive");
    expect(kinds(registry.sawActivity("d2", T0 + 3100))).toEqual(["returned"]);
    registry.register(register("d1", "DRIVER_NODE_DEREGISTER"), T0 + 3200);
    expect(registry.sawActivity("d1", T0 + 3300)).toEqual([]);
    expect(registry.sawActivity("stranger", T0 + 3300)).toEqual([]);
    expect(registry.list().map((n) => [n.node_id, n.status])).toEqual([["d1", "left"], ["d2", "alive"]]);
  });

  test("a heartbeat from an unknown node registers it (drivers reappear after an orchestrator restart)", () => {
    const registry = new NodeRegistry({ heartbeatIntervalMs: 1000, deadAfterMs: 3000 });
    const events = registry.heartbeat(beat("d9", T0, { node_IP: "10.1.1.1", state: "running", test_id: "t1" }), T0);
    expect(kinds(events)).toEqual(["joined"]);
    expect(registry.get("d9")).toMatchObject({ node_IP: "10.1.1.1", status: "alive", driver_state: "running", current_test_id: "t1" });
  });

  test("nodes loaded from the store come back dead until they beat, then return", () => {
    const first = new NodeRegistry({ heartbeatIntervalMs: 1000, deadAfterMs: 3000 });
    first.register(register("d1"), T0);
    first.noteSent("d1", "t1", 500);
    const second = new NodeRegistry({ heartbeatIntervalMs: 1000, deadAfterMs: 3000 });
    second.load(first.list());
    expect(second.get("d1")).toMatchObject({ status: "dead", requests_sent: 500, last_test_id: "t1" });
    expect(kinds(second.heartbeat(beat("d1", T0 + 9000), T0 + 9000))).toEqual(["returned"]);
  });
});
