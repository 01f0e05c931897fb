/**
 * The CPU an idle fleet costs: `bun bench/fleet-idle.ts [drivers] [seconds]` starts an
 * orchestrator and N drivers on the broker of KAFKA_BROKERS (topics of their own), waits for
 * all to register, then samples /proc for `seconds`: the drivers' summed CPU, the
 * orchestrator's, and the broker's (BROKER_PID, else the first `kafka.Kafka` java process here).
 * Used to find what an idle fleet costs (docs/fleet.md, "What bounds the fleet on one machine").
 */
import { readdirSync, readFileSync } from "node:fs";
import { benchBroker, BenchFleet } from "./fleet.ts";
import { cpuSeconds } from "./sections/fleet.ts";

/** BROKER_PID, else the pid of a `java ... kafka.Kafka` process, if one runs here. */
function brokerPid(): number | null {
  if (process.env.BROKER_PID) return Number(process.env.BROKER_PID);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmd.includes("kafka.Kafka")) return Number(entry);
    } catch {}
  }
  return null;
}

const drivers = Number(process.argv[2] ?? 64);
const seconds = Number(process.argv[3] ?? 30);
const broker = benchBroker();
const prefix = `idle${drivers}-${Date.now().toString(36)}-`;
const fleet = new BenchFleet({ KAFKA_BROKERS: broker, KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: "warn" });
try {
  const orch = fleet.spawn("orchestrator", "src/orchestrator/main.ts", ["--port", "0", "--host", "127.0.0.1", "--db", `${fleet.dir}/o.sqlite`]);
  const api = await fleet.waitFor("orchestrator", () => /listening on (http:\/\/\S+)/.exec(fleet.output(orch.log))?.[1]?.replace(/\/$/, "") ?? null, 60_000);
  const t0 = performance.now();
  const pids: number[] = [];
  for (let i = 1; i <= drivers; i++) pids.push(fleet.spawn(`driver-${i}`, "src/driver/main.ts", ["--node-id", `${prefix}d${i}`]).proc.pid);
  await fleet.waitFor("drivers", async () => {
    const { nodes } = (await (await fetch(`${api}/nodes`)).json()) as { nodes: { status: string }[] };
    return nodes.filter((n) => n.status === "alive").length >= drivers ? true : null;
  }, 600_000);
  console.log(`registered after ${((performance.now() - t0) / 1000).toFixed(1)} s; settling 10 s`);
  await Bun.sleep(10_000);
  const bpid = brokerPid();
  const sum = (ps: number[]) => ps.reduce((s, p) => s + cpuSeconds(p), 0);
  const d0 = sum(pids), o0 = cpuSeconds(orch.proc.pid), b0 = bpid ? cpuSeconds(bpid) : 0, w0 = performance.now();
  const { nodes: before } = (await (await fetch(`${api}/nodes`)).json()) as { nodes: { status: string }[] };
  await Bun.sleep(seconds * 1000);
  const wall = (performance.now() - w0) / 1000;
  const pct = (x: number) => ((x / wall) * 100).toFixed(1);
  const { nodes } = (await (await fetch(`${api}/nodes`)).json()) as { nodes: { status: string }[] };
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  console.log(
    `${drivers} idle drivers over ${wall.toFixed(0)} s (load ${load}): drivers ${pct(sum(pids) - d0)}% of a core in all (${(Number(pct(sum(pids) - d0)) / drivers).toFixed(2)}% each), ` +
      `orchestrator ${pct(cpuSeconds(orch.proc.pid) - o0)}%, broker ${bpid ? pct(cpuSeconds(bpid) - b0) : "?"}%; ` +
      `alive ${before.filter((n) => n.status === "alive").length} → ${nodes.filter((n) => n.status === "alive").length}`,
  );
} finally {
  await fleet.stop();
}
