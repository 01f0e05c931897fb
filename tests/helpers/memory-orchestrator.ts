// An orchestrator over a MemoryBus with a SQLite store and its HTTP app, and fake drivers on the
// same broker, for integration tests.
import { MemoryBroker, MemoryBus } from "../../src/bus/index.ts";
import { silentLogger } from "../../src/log.ts";
import { systemClock } from "../../src/orchestrator/clock.ts";
import { createApp } from "../../src/orchestrator/http/app.ts";
import { createOrchestrator, type Orchestrator } from "../../src/orchestrator/orchestrator.ts";
import { openSqliteStore } from "../../src/orchestrator/sqlite-store.ts";
import type { OrchestratorStore } from "../../src/orchestrator/store.ts";
import type { BusDriver } from "./bus-driver.ts";
import { waitFor } from "./wait.ts";

/** A started orchestrator, its store, app and bus, and the broker its drivers join. */
export interface MemoryNode {
  orchestrator: Orchestrator;
  store: OrchestratorStore;
  app: ReturnType<typeof createApp>;
  bus: MemoryBus;
  broker: MemoryBroker;
}

/** Starts an orchestrator on `dbPath` over `broker` (a new one by default); targets on 127.0.0.1. */
export async function startMemoryOrchestrator(dbPath: string, broker = new MemoryBroker()): Promise<MemoryNode> {
  const store = openSqliteStore(dbPath);
  const bus = new MemoryBus(broker);
  const orchestrator = createOrchestrator({ bus, store, clock: systemClock, log: silentLogger });
  await orchestrator.start();
  const app = createApp(orchestrator, { defaultTarget: "http://127.0.0.1:8080/ping", allowTargets: ["127.0.0.1"] });
  return { orchestrator, store, app, bus, broker };
}

/** Stops the orchestrator and closes its bus and store. */
export async function stopMemoryOrchestrator(node: Pick<MemoryNode, "orchestrator" | "bus" | "store">): Promise<void> {
  node.orchestrator.stop();
  await node.bus.close();
  node.store.close();
}

/** Drivers on a bus of their own (joined to the node's broker), as started by {@link startBusDrivers}. */
export interface BusFleet<D extends BusDriver> {
  drivers: D[];
  driverBus: MemoryBus;
}

/**
 * Starts the drivers `make` builds on a new bus joined to `broker` (the node's by default), waits
 * until the orchestrator lists each alive, and adds them to `started` for {@link stopBusDrivers}.
 */
export async function startBusDrivers<D extends BusDriver>(node: MemoryNode, started: BusFleet<BusDriver>[], make: (bus: MemoryBus) => D[], broker = node.broker): Promise<BusFleet<D>> {
  const driverBus = new MemoryBus(broker);
  const drivers = make(driverBus);
  for (const driver of drivers) await driver.start();
  started.push({ drivers, driverBus });
  await waitFor("every driver to be alive", async () => {
    const { nodes } = (await (await node.app.request("/nodes")).json()) as { nodes: { node_id: string; status: string }[] };
    return drivers.every((d) => nodes.some((n) => n.node_id === d.nodeId && n.status === "alive"));
  });
  return { drivers, driverBus };
}

/** Stops every fleet in `started` (emptied) and closes their buses. */
export async function stopBusDrivers(started: BusFleet<BusDriver>[]): Promise<void> {
  for (const { drivers, driverBus } of started.splice(0)) {
    for (const driver of drivers) driver.stop();
    await driverBus.close();
  }
}

/** POST through the node's app, with `body` as JSON when given. */
export const postJson = (node: Pick<MemoryNode, "app">, path: string, body?: unknown) =>
  node.app.request(path, { method: "POST", body: body === undefined ? undefined : JSON.stringify(body), headers: { "content-type": "application/json" } });

/** GET through the node's app, the answer as JSON. */
export const getJson = async <T>(node: Pick<MemoryNode, "app">, path: string): Promise<T> => (await node.app.request(path)).json() as Promise<T>;
