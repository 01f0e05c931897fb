// Measures the orchestrator's memory under a heartbeat flood and stalled event-stream clients
// (issue 18 item 6), for docs/reliability.md. Usage, with a broker at KAFKA_BROKERS (default
// 127.0.0.1:9092):
//   bun scripts/memory-flood.ts <checkout> <label>
// Starts, from <checkout>'s sources, a target, an orchestrator and 2 drivers on topics of their
// own; opens 20 `GET /events` clients that never read; runs a 2 x 1,000 TSUNAMI (5 ms); produces
// 100,000 valid heartbeats for unknown node ids with kafkajs; waits for the test to end and 20 s
// more; prints one JSON line: orchestrator VmRSS (MB) before, peak (sampled every 100 ms) and at
// the end, the size and time of GET /nodes, the orchestrator's log lines, and the test's count
// against the target's. Every process it started is killed at the end.
import { readFileSync } from "node:fs";
import net from "node:net";
import { Kafka, logLevel } from "kafkajs";

const FLOOD = 100_000;
const BATCH = 2_000;
const STALLED_CLIENTS = 20;
const COUNT = 1_000;

const [root, label] = [process.argv[2], process.argv[3]];
if (!root || !label) {
  console.error("usage: bun scripts/memory-flood.ts <checkout> <label>");
  process.exit(2);
}
const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const prefix = `memory-flood-${label}-${Date.now().toString(36)}-`;
const env: Record<string, string> = { ...(process.env as Record<string, string>), KAFKA_BROKERS: brokers.join(","), KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: "info" };
const logPaths = new Map<string, string>();
const procs: { kill(signal?: number | NodeJS.Signals): void }[] = [];

function spawn(name: string, args: string[]): number {
  const path = `/tmp/${prefix}${name}.log`;
  const proc = Bun.spawn(["bun", ...args], { cwd: root, env, stdout: Bun.file(path), stderr: Bun.file(path), stdin: "ignore" });
  procs.push(proc);
  logPaths.set(name, path);
  return proc.pid;
}

function output(name: string): string {
  try {
    return readFileSync(logPaths.get(name)!, "utf8");
  } catch {
    return "";
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | null> | T | null, timeoutMs = 120_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const value = await probe();
    if (value !== null) return value;
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const listening = (name: string) => waitFor(`${name} to listen`, () => output(name).match(/listening on (http:\/\/\S+)/)?.[1]?.replace(/\/$/, "") ?? null);
const getJson = async <T>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>;

try {
  spawn("target", ["target/main.ts", "--port", "0", "--host", "127.0.0.1"]);
  const targetUrl = await listening("target");
  const pid = spawn("orchestrator", ["src/orchestrator/main.ts", "--port", "0", "--host", "127.0.0.1", "--db", `/tmp/${prefix}db.sqlite`, "--target", `${targetUrl}/ping`, "--allow-target", "127.0.0.1"]);
  const url = await listening("orchestrator");
  spawn("d1", ["src/driver/main.ts", "--node-id", "mf-1"]);
  spawn("d2", ["src/driver/main.ts", "--node-id", "mf-2"]);
  await waitFor("both drivers alive", async () => {
    const { nodes } = await getJson<{ nodes: { status: string }[] }>(`${url}/nodes`);
    return nodes.filter((n) => n.status === "alive").length === 2 ? true : null;
  });

  const rssMb = () => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;
  const port = Number(new URL(url).port);
  for (let i = 0; i < STALLED_CLIENTS; i++) {
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
        socket.pause();
        resolve();
      });
      procs.push({ kill: () => socket.destroy() });
    });
  }
  await Bun.sleep(1_000);
  const rssBefore = rssMb();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb())), 100);

  await fetch(`${targetUrl}/reset`, { method: "POST" });
  const body = JSON.stringify({ test_type: "TSUNAMI", test_message_delay: 5, message_count_per_driver: COUNT, trigger: true });
  const { test_id } = (await (await fetch(`${url}/tests`, { method: "POST", headers: { "content-type": "application/json" }, body })).json()) as { test_id: string };
  const producer = new Kafka({ clientId: "memory-flood", brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  for (let from = 0; from < FLOOD; from += BATCH) {
    const messages = Array.from({ length: BATCH }, (_, i) => {
      const node_id = `flood-${from + i}`;
      return { key: node_id, value: JSON.stringify({ node_id, heartbeat: "YES", timestamp: Date.now() }) };
    });
    await producer.send({ topic: `${prefix}heartbeat`, acks: 1, messages });
  }
  await producer.disconnect();
  const state = await waitFor("the test to end", async () => {
    const test = await getJson<{ state: string }>(`${url}/tests/${test_id}`);
    return ["created", "running"].includes(test.state) ? null : test.state;
  });
  await Bun.sleep(20_000); // the flood's ids die (3 s) and are swept
  const started = performance.now();
  const nodesBody = await (await fetch(`${url}/nodes`)).text();
  const nodesMs = Math.round(performance.now() - started);
  const result = await getJson<{ metrics: { counts: { completed: number } } }>(`${url}/tests/${test_id}`);
  const received = (await getJson<{ ping: { received: number } }>(`${targetUrl}/metrics?format=json`)).ping.received;
  clearInterval(sampler);
  const nodes = JSON.parse(nodesBody) as { nodes: unknown[]; total?: number };
  console.log(
    JSON.stringify({
      label,
      rss_before_mb: Math.round(rssBefore),
      rss_peak_mb: Math.round(rssPeak),
      rss_end_mb: Math.round(rssMb()),
      nodes_body_bytes: nodesBody.length,
      nodes_ms: nodesMs,
      nodes_total: nodes.total ?? nodes.nodes.length,
      log_lines: output("orchestrator").split("\n").length,
      test_state: state,
      completed: result.metrics.counts.completed,
      target_received: received,
    }),
  );
} finally {
  for (const proc of procs) proc.kill("SIGKILL");
}
process.exit(0);
