// One-process mode: the orchestrator core and N drivers over the in-memory bus, no Kafka.
import { MemoryBroker, MemoryBus } from "../bus/index.ts";
import { createDriver, type Driver } from "../driver/driver.ts";
import { openHttp1Pool, type OpenHttpPool } from "../driver/http1-pool.ts";
import type { FetchLike } from "../driver/send-loop.ts";
import { silentLogger, type Logger } from "../log.ts";
import { systemClock } from "../orchestrator/clock.ts";
import { createOrchestrator, type Orchestrator } from "../orchestrator/orchestrator.ts";
import { createMemoryStore, type OrchestratorStore } from "../orchestrator/store.ts";

/** Most drivers one process runs (the brief's fleet maximum). */
export const MAX_LOCAL_DRIVERS = 8;

/** What {@link startLocalFleet} takes: the driver count, and optional logger, HTTP clients and store. */
export interface LocalFleetOptions {
  drivers: number;
  log?: Logger;
  fetch?: FetchLike;
  /**
   * The pool plain-http targets go through, as in the driver's main.ts (default openHttp1Pool,
   * or none when `fetch` is given, so an injected fetch sees every request); null: fetch only.
   */
  openHttp?: OpenHttpPool | null;
  /** Where the orchestrator keeps tests (default: in memory); its owner closes it. */
  store?: OrchestratorStore;
  /** How long to wait for every driver to register (they do at once; this bounds a bug). */
  readyTimeoutMs?: number;
  /** Bun Workers each driver sends on (`--workers`; default 1, the in-thread loop). */
  workers?: number;
}

/** A running one-process fleet; `close()` stops the drivers, the orchestrator and the buses. */
export interface LocalFleet {
  orchestrator: Orchestrator;
  /** The shared in-memory broker (more nodes can join through it). */
  broker: MemoryBroker;
  nodeIds: string[];
  close(): Promise<void>;
}

/** Node ids of the local drivers: local-1, local-2, ... */
export const localNodeIds = (n: number): string[] => Array.from({ length: n }, (_, i) => `local-${i + 1}`);

/**
 * Starts an orchestrator and `drivers` drivers sharing one {@link MemoryBroker}, and resolves
 * once the orchestrator sees every driver alive (announced on its event hub).
 */
export async function startLocalFleet(options: LocalFleetOptions): Promise<LocalFleet> {
  const { drivers: count, log = silentLogger, fetch: fetchFn, store = createMemoryStore(), readyTimeoutMs = 10_000 } = options;
  // Bun 1.4's fetch parks only 64 idle sockets per process: N drivers × 64 in flight churn.
  const openHttp = options.openHttp === undefined ? (fetchFn === undefined ? openHttp1Pool : null) : options.openHttp;
  const broker = new MemoryBroker();
  const buses: MemoryBus[] = [];
  const bus = () => {
    const b = new MemoryBus(broker);
    buses.push(b);
    return b;
  };
  const orchestrator = createOrchestrator({ bus: bus(), store, clock: systemClock, log: log.child({ node: "orchestrator" }) });
  const nodeIds = localNodeIds(count);
  const drivers: Driver[] = [];
  const close = async () => {
    await Promise.all(drivers.map((d) => d.stop()));
    orchestrator.stop();
    await Promise.all(buses.map((b) => b.close()));
  };
  const aliveAll = () => nodeIds.every((id) => orchestrator.listNodes().some((n) => n.node_id === id && n.status === "alive"));
  const ready = Promise.withResolvers<void>();
  const unsubscribe = orchestrator.events.subscribe((event) => {
    if (event.type === "node" && aliveAll()) ready.resolve();
  });
  const timer = setTimeout(() => ready.reject(new Error(`the ${count} local driver(s) did not register within ${readyTimeoutMs} ms`)), readyTimeoutMs);
  try {
    await orchestrator.start();
    for (const nodeId of nodeIds) {
      const driver = createDriver({ bus: bus(), nodeId, nodeIp: "127.0.0.1", fetch: fetchFn, ...(openHttp ? { openHttp } : {}), log: log.child({ node: nodeId }), ...(options.workers !== undefined && options.workers > 1 ? { workers: options.workers } : {}) });
      drivers.push(driver);
      await driver.start();
    }
    if (aliveAll()) ready.resolve();
    await ready.promise;
  } catch (err) {
    await close();
    throw err;
  } finally {
    clearTimeout(timer);
    unsubscribe();
  }
  return { orchestrator, broker, nodeIds, close };
}
