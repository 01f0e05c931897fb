import { afterEach, describe, expect, test } from "bun:test";
import type { Bus } from "../../src/bus/index.ts";
import type { MessageOf } from "../../src/protocol/index.ts";
import { waitFor } from "../helpers/wait.ts";

/** Creates buses that can reach each other (one broker or one Kafka topic prefix per call of `world`). */
export interface BusWorld {
  bus(name: string): Promise<Bus>;
}

const config = (id: string): MessageOf<"test_config"> => ({
  test_id: id,
  test_type: "AVALANCHE",
  test_message_delay: 0,
  message_count_per_driver: 10,
});

const heartbeat = (node: string, n: number): MessageOf<"heartbeat"> => ({
  node_id: node,
  heartbeat: "YES",
  timestamp: 1_764_000_000_000 + n,
});

/** The cases every Bus implementation must pass, run against the memory and the Kafka bus alike. */
export function busContract(name: string, newWorld: () => Promise<BusWorld>): void {
  describe(`${name} bus contract`, () => {
    const open: Bus[] = [];
    const make = async (world: BusWorld, id: string) => {
      const bus = await world.bus(id);
      open.push(bus);
      return bus;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });

    test("broadcast reaches every one of three subscribers", async () => {
      const world = await newWorld();
      const orchestrator = await make(world, "orch");
      const seen: Record<string, string[]> = { d1: [], d2: [], d3: [] };
      await Promise.all(
        Object.keys(seen).map(async (node) => {
          const bus = await make(world, node);
          await bus.subscribe("test_config", { mode: { kind: "broadcast" } }, (m) => void seen[node]!.push(m.test_id));
        }),
      );
      await orchestrator.publish("test_config", config("t-1"));
      await orchestrator.publish("test_config", config("t-2"));
      await waitFor("every driver to get both configs", () => Object.values(seen).every((s) => s.length === 2));
      expect(seen).toEqual({ d1: ["t-1", "t-2"], d2: ["t-1", "t-2"], d3: ["t-1", "t-2"] });
    });

    test("broadcast does not replay what was published before subscribing", async () => {
      const world = await newWorld();
      const orchestrator = await make(world, "orch");
      await orchestrator.publish("test_config", config("old"));
      const late = await make(world, "late-driver");
      const seen: string[] = [];
      await late.subscribe("test_config", { mode: { kind: "broadcast" } }, (m) => void seen.push(m.test_id));
      await orchestrator.publish("test_config", config("new"));
      await waitFor("the new config", () => seen.includes("new"));
      expect(seen).toEqual(["new"]);
    });

    test("collect delivers each message once across a group", async () => {
      const world = await newWorld();
      const driver = await make(world, "driver");
      const got: string[] = [];
      for (const member of ["o1", "o2"]) {
        const bus = await make(world, member);
        await bus.subscribe("heartbeat", { mode: { kind: "collect", group: "orchestrator" } }, (m) => void got.push(`${m.node_id}:${m.timestamp}`));
      }
      const sent = Array.from({ length: 20 }, (_, i) => heartbeat("d1", i));
      for (const m of sent) await driver.publish("heartbeat", m, m.node_id);
      await waitFor("20 heartbeats", () => got.length >= 20);
      expect(got.sort()).toEqual(sent.map((m) => `${m.node_id}:${m.timestamp}`).sort());
    });

    test("bad messages are dropped and counted, good ones still arrive", async () => {
      const world = await newWorld();
      const driver = await make(world, "driver");
      const orchestrator = await make(world, "orch");
      const got: string[] = [];
      await orchestrator.subscribe("heartbeat", { mode: { kind: "collect", group: "orchestrator" } }, (m) => void got.push(m.node_id));
      await driver.publishRaw("heartbeat", "not json");
      await driver.publishRaw("heartbeat", JSON.stringify({ node_id: "d1", heartbeat: "NO", timestamp: 1 }));
      await driver.publishRaw("heartbeat", JSON.stringify({ heartbeat: "YES" }));
      await driver.publish("heartbeat", heartbeat("good", 1));
      await waitFor("the good heartbeat and three rejections", () => got.length === 1 && orchestrator.rejected().heartbeat === 3);
      expect(got).toEqual(["good"]);
      expect(orchestrator.rejected()).toEqual({ heartbeat: 3 });
    });

    test("a handler that throws does not stop delivery", async () => {
      const world = await newWorld();
      const driver = await make(world, "driver");
      const orchestrator = await make(world, "orch");
      const got: number[] = [];
      await orchestrator.subscribe("heartbeat", { mode: { kind: "collect", group: "orchestrator" } }, (m) => {
        if (m.timestamp === 1_764_000_000_001) throw new Error("handler bug");
        got.push(m.timestamp!);
      });
      for (const n of [0, 1, 2]) await driver.publish("heartbeat", heartbeat("d1", n), "d1");
      await waitFor("the messages around the failing one", () => got.length === 2);
      expect(got).toEqual([1_764_000_000_000, 1_764_000_000_002]);
    });

    test("close is idempotent and a closed bus refuses to publish", async () => {
      const world = await newWorld();
      const bus = await make(world, "driver");
      await bus.subscribe("trigger", { mode: { kind: "broadcast" } }, () => {});
      await bus.close();
      await bus.close();
      expect(bus.publish("trigger", { test_id: "t", trigger: "YES" })).rejects.toThrow(/closed/);
    });
  });
}
