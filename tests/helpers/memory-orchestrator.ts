// An orchestrator over a MemoryBus with a SQLite store and its HTTP app, for integration tests.
import { MemoryBroker, MemoryBus } from "../../src/bus/index.ts";
import { silentLogger } from "../../src/log.ts";
import { systemClock } from "../../src/orchestrator/clock.ts";
import { createApp } from "../../src/orchestrator/http/app.ts";
import { createOrchestrator, type Orchestrator } from "../../src/orchestrator/orchestrator.ts";
import { openSqliteStore } from "../../src/orchestrator/sqlite-store.ts";
import type { OrchestratorStore } from "../../src/orchestrator/store.ts";

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
