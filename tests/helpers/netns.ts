/**
 * Separate "hosts" on one Linux machine for e2e tests (root only): each host is a network
 * namespace joined to the root namespace by its own veth pair and /30, and a services address
 * on a veth that never goes down carries a dedicated broker. Every address is one this lab
 * creates under 10.231.<n>.0/24 on its own interfaces; nothing else is ever contacted.
 *
 *   host i:   root side 10.231.<n>.<4i+1>/30  <->  namespace side 10.231.<n>.<4i+2>/30
 *   services: 10.231.<n>.253/32 on a veth pair that stays in the root namespace
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");
const IP_TIMEOUT_MS = 10_000;
const NETNS_ETC = "/etc/netns";

/** One simulated machine: a namespace and the link that connects it. */
export interface NetnsHost {
  /** Short name, e.g. "h1". */
  name: string;
  /** Network namespace name. */
  ns: string;
  /** Root-namespace end of the link; setting it down cuts the host off. */
  rootVeth: string;
  /** Address of the root end: the host's gateway and a place for per-host services. */
  rootAddress: string;
  /** The host's own address, the only one it has besides loopback. */
  address: string;
}

/** Runs `ip ...`; throws with its stderr when it fails. */
function ip(...args: string[]): string {
  const result = Bun.spawnSync(["ip", ...args], { stdout: "pipe", stderr: "pipe", timeout: IP_TIMEOUT_MS });
  if (!result.success) throw new Error(`ip ${args.join(" ")} failed (${result.exitCode ?? result.signalCode}): ${result.stderr.toString().trim()}`);
  return result.stdout.toString();
}

/** Throws, saying why, unless this process can create namespaces (root and iproute2's `ip`). */
export function requireNetns(): void {
  if (process.getuid?.() !== 0) throw new Error("network-namespace tests need root (CI runs as root); run them with sudo");
  if (!Bun.which("ip")) throw new Error("`ip` not found: apt-get install iproute2");
}

/** A /24 under 10.231.0.0/16 that no interface or route of this machine uses yet. */
function freeSubnet(): number {
  const used = ip("-4", "-o", "addr", "show") + ip("-4", "route", "show", "table", "all");
  for (let attempt = 0; attempt < 64; attempt++) {
    const n = Math.floor(Math.random() * 256);
    if (!used.includes(`10.231.${n}.`)) return n;
  }
  throw new Error("no free 10.231.x.0/24 subnet for the namespace lab");
}

/** A set of namespaced hosts; `destroy()` removes everything it created, even half-built. */
export class NetnsLab {
  /** Random id in every name, so labs of concurrent runs never meet. */
  readonly id = crypto.randomUUID().replace(/-/g, "").slice(0, 6);
  readonly hosts: NetnsHost[] = [];
  /** Root-namespace address on a link that is never cut: for the broker and the orchestrator. */
  readonly serviceAddress: string;
  private readonly subnet: number;
  private readonly serviceVeth: string;
  private readonly createdEtc: boolean;
  private cleanups: (() => void)[] = [];

  constructor(hostCount: number) {
    if (hostCount < 1 || hostCount > 60) throw new Error(`hostCount must be 1..60, got ${hostCount}`);
    requireNetns();
    this.subnet = freeSubnet();
    this.serviceAddress = `10.231.${this.subnet}.253`;
    this.serviceVeth = `lt${this.id}s0`;
    this.createdEtc = !existsSync(NETNS_ETC);
    try {
      ip("link", "add", this.serviceVeth, "type", "veth", "peer", "name", `lt${this.id}s1`);
      this.cleanups.push(() => ip("link", "del", this.serviceVeth));
      ip("addr", "add", `${this.serviceAddress}/32`, "dev", this.serviceVeth);
      ip("link", "set", this.serviceVeth, "up");
      ip("link", "set", `lt${this.id}s1`, "up");
      for (let i = 0; i < hostCount; i++) this.addHost(i);
    } catch (error) {
      this.destroy();
      throw error;
    }
  }

  private addHost(index: number): void {
    const name = `h${index + 1}`;
    const host: NetnsHost = {
      name,
      ns: `lt-${this.id}-${name}`,
      rootVeth: `lt${this.id}${name}`,
      rootAddress: `10.231.${this.subnet}.${4 * index + 1}`,
      address: `10.231.${this.subnet}.${4 * index + 2}`,
    };
    const inner = `lt${this.id}${name}n`;
    ip("netns", "add", host.ns);
    this.cleanups.push(() => {
      rmSync(join(NETNS_ETC, host.ns), { recursive: true, force: true });
      ip("netns", "del", host.ns);
    });
    ip("link", "add", host.rootVeth, "type", "veth", "peer", "name", inner, "netns", host.ns);
    // Deleting the namespace removes the pair too, but asynchronously: delete it at once.
    this.cleanups.push(() => ip("link", "del", host.rootVeth));
    ip("addr", "add", `${host.rootAddress}/30`, "dev", host.rootVeth);
    ip("link", "set", host.rootVeth, "up");
    ip("-n", host.ns, "link", "set", "lo", "up");
    ip("-n", host.ns, "addr", "add", `${host.address}/30`, "dev", inner);
    ip("-n", host.ns, "link", "set", inner, "up");
    // Everything else (the services address, other hosts' gateways) is reached through the root namespace.
    ip("-n", host.ns, "route", "add", "default", "via", host.rootAddress);
    this.hosts.push(host);
  }

  /** The command line that runs `argv` inside `host`'s namespace (`ip netns exec` execs in place: same pid). */
  exec(host: NetnsHost, argv: string[]): string[] {
    return ["ip", "netns", "exec", host.ns, ...argv];
  }

  /** Makes `name` resolve to `address` for processes of `host` (`ip netns exec` mounts /etc/netns/<ns>/hosts over /etc/hosts). */
  setHosts(host: NetnsHost, entries: Record<string, string>): void {
    const dir = join(NETNS_ETC, host.ns);
    mkdirSync(dir, { recursive: true });
    const lines = ["127.0.0.1 localhost", ...Object.entries(entries).map(([name, address]) => `${address} ${name}`)];
    writeFileSync(join(dir, "hosts"), lines.join("\n") + "\n");
  }

  /** Cuts `host` off the network, as if its cable were pulled. */
  cut(host: NetnsHost): void {
    ip("link", "set", host.rootVeth, "down");
  }

  /** Removes every namespace, link and file this lab made; never throws, returns what failed. */
  destroy(): string[] {
    const errors: string[] = [];
    for (const cleanup of this.cleanups.reverse()) {
      try {
        cleanup();
      } catch (error) {
        const message = (error as Error).message;
        // A pair already gone with its namespace is not a failure.
        if (!/Cannot find device|does not exist/.test(message)) errors.push(message);
      }
    }
    this.cleanups = [];
    if (this.createdEtc && existsSync(NETNS_ETC) && readdirSync(NETNS_ETC).length === 0) rmdirSync(NETNS_ETC);
    return errors;
  }
}

/** A broker of its own for a lab, started with scripts/kafka-up.sh. */
export interface LabBroker {
  /** host:port to give the nodes. */
  address: string;
  homeDir: string;
  /** Stops the broker (kafka-down.sh) and removes its folder; never throws. */
  stop(): void;
}

/**
 * Starts a single-node broker listening (and advertised) on `host`, with its state in a fresh
 * temp folder and the jars shared with the dev broker (KAFKA_LIBS_DIR), so no download is needed
 * once `bun run kafka:up` has run. The address is the lab's own, so the usual ports are free there.
 */
export async function startLabBroker(host: string, { port = 9092, controllerPort = 9093, readyTimeoutS = 90 } = {}): Promise<LabBroker> {
  const homeDir = mkdtempSync(join(tmpdir(), "lt-netns-kafka-"));
  const env = {
    ...process.env,
    KAFKA_HOST: host,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_HOME_DIR: homeDir,
    KAFKA_LIBS_DIR: join(process.env.KAFKA_HOME_DIR ?? join(ROOT, ".kafka"), "libs"),
    KAFKA_READY_TIMEOUT_S: String(readyTimeoutS),
  };
  const stop = () => {
    Bun.spawnSync(["bash", join(ROOT, "scripts", "kafka-down.sh"), "--kill"], { env, stdout: "ignore", stderr: "ignore", timeout: 30_000 });
    rmSync(homeDir, { recursive: true, force: true });
  };
  const up = Bun.spawn(["bash", join(ROOT, "scripts", "kafka-up.sh")], {
    env,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
    // Maven may fetch the jars once (kafka-up.sh bounds that at 900 s), then the broker starts.
    timeout: (readyTimeoutS + 960) * 1000,
  });
  const [stderr, code] = await Promise.all([new Response(up.stderr).text(), up.exited]);
  if (code !== 0) {
    stop();
    throw new Error(`lab broker on ${host}:${port} did not start (${code ?? up.signalCode}):\n${stderr.slice(-3000)}`);
  }
  return { address: `${host}:${port}`, homeDir, stop };
}
