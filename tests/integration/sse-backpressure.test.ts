/**
 * Event-stream clients that do not keep up (issue 18 item 6): a real server and sockets that
 * stop reading. Each stream queues at most its buffer; a client that falls behind gets one
 * `state` marked `resync` in place of what it missed and then the live events again; a client
 * that never takes its resync is disconnected; both are counted.
 */
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import net from "node:net";
import { MemoryBroker, MemoryBus } from "../../src/bus/index.ts";
import { silentLogger } from "../../src/log.ts";
import { ManualClock } from "../../src/orchestrator/clock.ts";
import { createApp } from "../../src/orchestrator/http/app.ts";
import { sseCounters } from "../../src/orchestrator/http/sse.ts";
import { createOrchestrator, type Orchestrator } from "../../src/orchestrator/orchestrator.ts";
import type { NodeView } from "../../src/orchestrator/registry.ts";
import { createMemoryStore } from "../../src/orchestrator/store.ts";
import { waitFor } from "../helpers/wait.ts";

setDefaultTimeout(120_000);

const BUFFER_BYTES = 64 * 1024;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function serve(stallDisconnectMs: number): Promise<{ orchestrator: Orchestrator; port: number }> {
  const broker = new MemoryBroker();
  const bus = new MemoryBus(broker);
  const orchestrator = createOrchestrator({ bus, store: createMemoryStore(), clock: new ManualClock(1_700_000_000_000), log: silentLogger });
  await orchestrator.start();
  const app = createApp(orchestrator, {
    defaultTarget: "http://127.0.0.1:8080/ping",
    allowTargets: ["127.0.0.1"],
    sse: { pingMs: 100, buffer: { maxBytes: BUFFER_BYTES, stallDisconnectMs } },
  });
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch, idleTimeout: 60 });
  cleanup = async () => {
    await server.stop(true);
    orchestrator.stop();
    await bus.close();
  };
  return { orchestrator, port: server.port! };
}

/** A raw `GET /events` client; `pause()` it and it stops reading. */
function eventClient(port: number): Promise<{ socket: net.Socket; received: () => string }> {
  return new Promise((resolve, reject) => {
    let data = "";
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);
      resolve({ socket, received: () => data });
    });
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => void (data += chunk));
    socket.on("error", reject);
  });
}

/** A node event about 3 KB long (a long history), as a flood of changes would produce. */
function bulkyNode(i: number): NodeView {
  return {
    node_id: `n-${i}`,
    node_IP: "10.0.0.1",
    version: null,
    status: "alive",
    status_since: i,
    first_seen_at: i,
    last_heartbeat_at: i,
    driver_state: null,
    current_test_id: null,
    last_test_id: null,
    requests_sent: 0,
    history: Array.from({ length: 50 }, (_, k) => ({ event: "returned" as const, at: 1_700_000_000_000 + k })),
  };
}

/**
 * Emits up to `count` node events at a pace a reading client keeps up with (so what fills a
 * stream's queue is a client that stopped reading, not the burst), until `until` says stop.
 */
async function emitNodes(orchestrator: Orchestrator, count: number, until: () => boolean = () => false): Promise<void> {
  for (let i = 0; i < count && !until(); i++) {
    orchestrator.events.emit({ type: "node", event: "joined", node: bulkyNode(i) });
    if (i % 20 === 0) await Bun.sleep(1);
  }
}

test("clients that never read hold at most their buffer each, are resynced, then disconnected once stuck, and counted", async () => {
  const { orchestrator, port } = await serve(1_000);
  const clients = await Promise.all(Array.from({ length: 5 }, () => eventClient(port)));
  await waitFor("5 streams open", () => sseCounters(orchestrator).open === 5);
  for (const { socket } of clients) socket.pause();
  Bun.gc(true);
  const heapBefore = process.memoryUsage().heapUsed;

  // 20,000 events of ~3 KB: 60 MB a client, 300 MB for the five if they were queued.
  await emitNodes(orchestrator, 20_000);
  Bun.gc(true);
  const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  expect(heapGrowthMb).toBeLessThan(30);
  expect(sseCounters(orchestrator).resyncs).toBeGreaterThanOrEqual(5);

  await waitFor("the stuck clients disconnected", () => sseCounters(orchestrator).open === 0, { timeoutMs: 30_000 });
  expect(sseCounters(orchestrator).disconnects).toBe(5);
  expect(sseCounters(orchestrator).resyncs).toBe(5);
  for (const { socket } of clients) socket.destroy();
});

test("a client that reads again after falling behind gets one state marked resync, then the live events", async () => {
  const { orchestrator, port } = await serve(60_000);
  const client = await eventClient(port);
  await waitFor("the first state", () => client.received().includes("event: state"));
  client.socket.pause();
  await emitNodes(orchestrator, 50_000, () => sseCounters(orchestrator).resyncs > 0);
  expect(sseCounters(orchestrator).resyncs).toBe(1);
  client.socket.resume();
  await waitFor("the resync", () => /event: state\r?\n(?:[^\n]*\n)*?data: [^\n]*"resync":true/.test(client.received()), { timeoutMs: 30_000 });
  const afterResync = client.received().length;
  orchestrator.events.emit({ type: "node", event: "left", node: { ...bulkyNode(99_999), node_id: "the-marker" } });
  await waitFor("a live event after the resync", () => client.received().slice(afterResync).includes('"node_id":"the-marker"'), { timeoutMs: 30_000 });
  expect(sseCounters(orchestrator).disconnects).toBe(0);
  // Missed events were dropped, not all delivered late: far fewer than 10,000 bulky events arrived.
  expect((client.received().match(/event: node/g) ?? []).length).toBeLessThan(10_000);
});
