/**
 * `bun run demo`: the whole system on this machine in one command. Starts the Kafka broker
 * (if none answers), the target, the orchestrator and two drivers as separate processes,
 * runs one load test from the CLI with its live progress line, prints the summary, and stops
 * everything it started. `--keep` leaves the fleet running (open the dashboard, run more
 * tests with `bun run loadtest`); Ctrl-C then stops it. The fleet is a trusted one: keys are
 * made once in data/demo-keys (`loadtest keygen --if-missing`), the orchestrator signs every
 * command and the drivers obey only signed ones (see README "Security").
 */
import { parseArgs } from "node:util";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";

const ROOT = join(import.meta.dir, "..");
const { values } = parseArgs({
  options: {
    keep: { type: "boolean", default: false },
    drivers: { type: "string", default: "2" },
    count: { type: "string", default: "30000" },
    rps: { type: "string", default: "3000" },
    type: { type: "string", default: "avalanche" },
    delay: { type: "string" },
    "orchestrator-port": { type: "string", default: "3000" },
    "target-port": { type: "string", default: "8080" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(`Usage: bun run demo [--keep] [--drivers N] [--type avalanche|tsunami] [--count N] [--rps X] [--delay MS]
                     [--orchestrator-port 3000] [--target-port 8080]

Starts Kafka (if needed), the target, the orchestrator and N drivers (default 2), runs one
test with the loadtest CLI (default: 30,000 requests per driver at 3,000/s each, ~10 s; --rps 0
for no cap) and stops the fleet. --keep leaves it running for the dashboard.`);
  process.exit(0);
}

const logDir = join(ROOT, "data", "demo-logs");
mkdirSync(logDir, { recursive: true });
const children: Subprocess[] = [];
const say = (line: string) => process.stderr.write(`demo: ${line}\n`);

function start(name: string, cmd: string[]): Subprocess {
  const log = Bun.file(join(logDir, `${name}.log`));
  const proc = Bun.spawn(cmd, { cwd: ROOT, stdout: log, stderr: log, stdin: "ignore" });
  children.push(proc);
  return proc;
}

async function stopAll(): Promise<void> {
  for (const child of children) child.kill("SIGTERM");
  await Promise.race([Promise.all(children.map((c) => c.exited)), Bun.sleep(15_000)]);
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    for (const child of children) {
      if (child.exitCode !== null) throw new Error(`a node exited while waiting for ${what}; see ${logDir}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; see the logs in ${logDir}`);
    await Bun.sleep(200);
  }
}

/** Whether something accepts TCP connections at host:port. */
async function answers(hostPort: string): Promise<boolean> {
  const i = hostPort.lastIndexOf(":");
  try {
    const socket = await Bun.connect({ hostname: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)), socket: { data() {} } });
    socket.end();
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const broker = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",")[0]!;
  if (await answers(broker)) {
    say(`using the Kafka broker at ${broker}`);
  } else {
    say("starting Kafka (bun run kafka:up)");
    const kafka = Bun.spawnSync(["bash", join(ROOT, "scripts", "kafka-up.sh")], { stdout: "inherit", stderr: "inherit" });
    if (!kafka.success) throw new Error("Kafka did not start (see above)");
  }

  const keyDir = join(ROOT, "data", "demo-keys");
  const keygen = Bun.spawnSync(["bun", "src/cli/main.ts", "keygen", "--out", keyDir, "--if-missing"], { cwd: ROOT, stdout: "pipe", stderr: "inherit" });
  if (!keygen.success) throw new Error("loadtest keygen failed (see above)");
  say(`signed commands: keys in ${keyDir}`);
  const keyFlags = { orchestrator: ["--signing-key", join(keyDir, "signing.key"), "--report-key", join(keyDir, "report.key")], driver: ["--trust-key", join(keyDir, "signing.pub"), "--report-key", join(keyDir, "report.key")] };

  const targetUrl = `http://127.0.0.1:${values["target-port"]}`;
  const orchestratorUrl = `http://127.0.0.1:${values["orchestrator-port"]}`;
  start("target", ["bun", "target/main.ts", "--host", "127.0.0.1", "--port", values["target-port"]!]);
  start("orchestrator", [
    "bun", "src/orchestrator/main.ts", "--port", values["orchestrator-port"]!, "--target", `${targetUrl}/ping`, "--db", join(ROOT, "data", "demo.sqlite"), ...keyFlags.orchestrator,
  ]);
  const drivers = Number(values.drivers);
  for (let i = 1; i <= drivers; i++) start(`driver-${i}`, ["bun", "src/driver/main.ts", "--node-id", `demo-driver-${i}`, ...keyFlags.driver]);

  await until("the target", async () => ((await fetch(`${targetUrl}/ping`)).ok ? true : undefined));
  await until("the orchestrator", async () => ((await fetch(`${orchestratorUrl}/healthz`)).ok ? true : undefined));
  say(`orchestrator up: dashboard at ${orchestratorUrl}/`);
  await until(`${drivers} drivers to register`, async () => {
    const { nodes } = (await (await fetch(`${orchestratorUrl}/nodes`)).json()) as { nodes: { status: string }[] };
    return nodes.filter((n) => n.status === "alive").length >= drivers ? true : undefined;
  });
  say(`${drivers} drivers alive; running a ${values.type} test of ${values.count} requests per driver`);

  const args = ["start", "--type", values.type!, "--count", values.count!, "--threshold", "errors<1%"];
  if (values.delay) args.push("--delay", values.delay);
  if (values.rps && values.rps !== "0") args.push("--rps", values.rps);
  const cli = Bun.spawn(["bun", "src/cli/main.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, LOADTEST_URL: orchestratorUrl },
    stdio: ["inherit", "inherit", "inherit"],
  });
  const code = await cli.exited;
  if (values.keep) {
    say(`fleet left running: ${orchestratorUrl}/ (logs in ${logDir}); Ctrl-C stops it`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
  }
  return code;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  say((err as Error).message);
} finally {
  say("stopping the fleet (the Kafka broker keeps running: bun run kafka:down stops it)");
  await stopAll();
}
process.exit(exitCode);
