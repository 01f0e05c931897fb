/**
 * Issue 18 item 6: memory that only grew. 100,000 valid heartbeats for node ids that never
 * registered, produced straight to the heartbeat topic with kafkajs, while 20 `/events` clients
 * never read a byte and a 2-driver test runs. The orchestrator's resident memory (VmRSS from
 * /proc/<pid>/status) stays under RSS_BOUND_MB, `/nodes` stays small (a page, live drivers
 * first, with the total), the heartbeats are counted on /metrics (those past the cap of
 * unregistered nodes refused) and summed up in the log instead of logged one by one, and the concurrent test counts
 * exactly what the target received. Real processes, the shared broker.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import net from "node:net";
import { Kafka, logLevel, type Producer } from "kafkajs";
import { topicName } from "../../src/protocol/index.ts";
import { Fleet } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { resetTarget, startTest, targetMetrics, waitForAlive, waitForTestEnd } from "../helpers/orchestrator-client.ts";
import { waitFor } from "../helpers/wait.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook. Each wait is bounded too.
setDefaultTimeout(300_000);

const FLOOD = 100_000;
const BATCH = 2_000;
const SSE_CLIENTS = 20;
/** Before the fix: 1.47 GB with 20 stalled clients alone. A Bun orchestrator idles near 100-150 MB. */
const RSS_BOUND_MB = 400;
/** Before the fix: /nodes was 34 MB after the flood. A page of 500 nodes is well under this. */
const NODES_BODY_BOUND_BYTES = 1_000_000;
/** Before the fix: 215k log lines. */
const LOG_LINES_BOUND = 5_000;
const COUNT = 1_000;
const DELAY_MS = 5;

let fleet: Fleet | undefined;
let producer: Producer | undefined;
const sockets: net.Socket[] = [];
let prefix = "";
let brokers: string[] = [];

beforeAll(async () => {
  brokers = await requireKafka();
  prefix = uniqueTopicPrefix("fault-memory-flood");
  fleet = new Fleet({ brokers, topicPrefix: prefix });
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await producer?.disconnect();
  await fleet?.stop();
});

/** Resident memory of a process in MB, from /proc/<pid>/status. */
function rssMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) / 1024;
}

/** A `GET /events` client that sends its request and then never reads (its socket is paused). */
function stalledEventClient(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(`GET /events HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`);
      socket.pause();
      resolve(socket);
    });
    socket.on("error", reject);
  });
}

/** One sample of the orchestrator's Prometheus text, by metric name and labels as written. */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? NaN : Number(line.split(" ")[1]);
}

test("a heartbeat flood from unknown ids and 20 clients that never read leave the orchestrator bounded and the concurrent test exact", async () => {
  const target = await fleet!.target();
  const orchestrator = await fleet!.orchestrator("orchestrator", ["--target", `${target.url}/ping`, "--allow-target", "127.0.0.1"]);
  fleet!.driver("mf-1");
  fleet!.driver("mf-2");
  await waitForAlive(orchestrator.url, ["mf-1", "mf-2"], 60_000);
  const pid = orchestrator.node.proc.pid;

  for (let i = 0; i < SSE_CLIENTS; i++) sockets.push(await stalledEventClient(orchestrator.url));
  await waitFor("every stalled client connected", async () => (await metric(orchestrator.url, "loadtest_sse_streams")) === SSE_CLIENTS, { timeoutMs: 30_000 });
  const rssBefore = rssMb(pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    try {
      rssPeak = Math.max(rssPeak, rssMb(pid));
    } catch {
      // The process is gone: the test fails on its own below.
    }
  }, 100);

  try {
    await resetTarget(target.url);
    const created = await startTest(orchestrator.url, { test_type: "TSUNAMI", test_message_delay: DELAY_MS, message_count_per_driver: COUNT });

    const kafka = new Kafka({ clientId: "memory-flood", brokers, logLevel: logLevel.NOTHING });
    producer = kafka.producer();
    await producer.connect();
    const floodStart = performance.now();
    for (let from = 0; from < FLOOD; from += BATCH) {
      const messages = Array.from({ length: BATCH }, (_, i) => {
        const node_id = `flood-${from + i}`;
        return { key: node_id, value: JSON.stringify({ node_id, heartbeat: "YES", timestamp: Date.now() }) };
      });
      await producer.send({ topic: topicName("heartbeat", prefix), acks: 1, messages });
    }
    const floodMs = performance.now() - floodStart;

    await waitFor("every flood heartbeat counted", async () => (await metric(orchestrator.url, "loadtest_unregistered_heartbeats_total")) >= FLOOD, {
      timeoutMs: 120_000,
      intervalMs: 250,
    });
    // Right after the flood (its admitted ids still alive): one page of /nodes, the total beside it.
    const floodPage = await fetch(`${orchestrator.url}/nodes`);
    const floodBody = await floodPage.text();
    const during = JSON.parse(floodBody) as { nodes: unknown[]; total: number; limit: number };
    expect(during.nodes.length).toBeLessThanOrEqual(during.limit);
    expect(during.total).toBeLessThanOrEqual(1_002);
    expect(floodBody.length).toBeLessThan(NODES_BODY_BOUND_BYTES);

    const ended = await waitForTestEnd(orchestrator.url, created.test_id, 120_000);
    const received = (await targetMetrics(target.url)).ping.received;
    expect({ state: ended.state, completed: ended.metrics.counts.completed, received }).toEqual({ state: "done", completed: 2 * COUNT, received: 2 * COUNT });

    // At most 1,000 nodes known from heartbeats alone at a time (room is made as they die): most of the flood is refused, and counted.
    expect(await metric(orchestrator.url, "loadtest_unregistered_heartbeats_refused_total")).toBeGreaterThanOrEqual(FLOOD * 0.9);
    // /nodes: one page, the live drivers first (once the flood's ids died), the total says how many are known.
    await waitFor(
      "the flood's ids dead",
      async () => (await metric(orchestrator.url, 'loadtest_drivers{status="alive"}')) === 2 && (await metric(orchestrator.url, 'loadtest_drivers{status="suspect"}')) === 0,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const response = await fetch(`${orchestrator.url}/nodes`);
    const body = await response.text();
    const page = JSON.parse(body) as { nodes: { node_id: string; status: string }[]; total: number; limit: number };
    expect(page.nodes.slice(0, 2).map((n) => [n.node_id, n.status])).toEqual([
      ["mf-1", "alive"],
      ["mf-2", "alive"],
    ]);
    expect(page.total).toBeLessThanOrEqual(1_002);

    // The stalled clients are still connected (each holds at most its bounded queue; what a client
    // that falls further behind gets, a resync then a disconnect, is tests/integration/sse-backpressure.test.ts).
    expect(await metric(orchestrator.url, "loadtest_sse_streams")).toBe(SSE_CLIENTS);

    const rssAfter = rssMb(pid);
    const logLines = orchestrator.node.output().split("\n").length;
    console.log(
      JSON.stringify({ flood: FLOOD, flood_ms: Math.round(floodMs), rss_before_mb: Math.round(rssBefore), rss_peak_mb: Math.round(rssPeak), rss_after_mb: Math.round(rssAfter), nodes_body_bytes_after_flood: floodBody.length, nodes_total_after_flood: during.total, nodes_total_later: page.total, log_lines: logLines }),
    );
    expect(rssPeak).toBeLessThan(RSS_BOUND_MB);
    expect(logLines).toBeLessThan(LOG_LINES_BOUND);
  } finally {
    clearInterval(sampler);
  }
});
