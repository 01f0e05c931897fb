/**
 * A 3-node Kafka cluster of a fault test's own (each node broker and controller, a 3-voter
 * quorum) on free ports with its state in a temp folder, so a drill can SIGKILL a leader, the
 * active controller or two nodes, and restart them, without touching the shared broker on
 * 9092. It runs scripts/kafka-up.sh --brokers 3 / kafka-down.sh --node with KAFKA_HOME_DIR
 * pointing at its folder and KAFKA_LIBS_DIR at the dev broker's jars (nothing is downloaded).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel, type Admin } from "kafkajs";
import { freePort, SHARED_KAFKA_LIBS } from "./kafka-home.ts";

const ROOT = join(import.meta.dir, "..", "..", "..");
const READY_TIMEOUT_S = 180;

/** One partition as the cluster's metadata describes it. */
export interface PartitionState {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface PrivateCluster {
  /** host:port of each node's client listener, node 1 first. */
  addresses: string[];
  homeDir: string;
  /** Node ids, 1..size. */
  nodes: number[];
  /** Starts every node that is down (or only `node`) and resolves once the running ones serve. */
  up(node?: number): Promise<void>;
  /** SIGKILL one node: it vanishes mid-request, as in a crash. */
  kill(node: number): void;
  /** Partitions of `topic` (leader -1 while none). */
  partitions(topic: string): Promise<PartitionState[]>;
  /** A topic config value, as the brokers report it. */
  topicConfig(topic: string, name: string): Promise<string | undefined>;
  /** The active controller: the quorum leader recorded by the live voters with the newest epoch. */
  activeController(): number | undefined;
  /** Whether node `node`'s process is running. */
  isRunning(node: number): boolean;
  /** Stops every node and removes the folder; never throws (for afterAll). */
  destroy(): void;
}

/** Creates (and starts) a cluster of `size` combined nodes on free ports. */
export async function startPrivateCluster(size = 3): Promise<PrivateCluster> {
  const homeDir = mkdtempSync(join(tmpdir(), "lt-fault-cluster-"));
  const ports: number[] = [];
  const controllerPorts: number[] = [];
  for (let i = 0; i < size; i++) {
    ports.push(await freePort());
    controllerPorts.push(await freePort());
  }
  const env = {
    ...process.env,
    KAFKA_HOST: "127.0.0.1",
    KAFKA_CLUSTER_SIZE: String(size),
    KAFKA_PORTS: ports.join(","),
    KAFKA_CONTROLLER_PORTS: controllerPorts.join(","),
    KAFKA_HOME_DIR: homeDir,
    KAFKA_LIBS_DIR: SHARED_KAFKA_LIBS,
    KAFKA_READY_TIMEOUT_S: String(READY_TIMEOUT_S),
  };
  const nodes = Array.from({ length: size }, (_, i) => i + 1);
  const addresses = ports.map((port) => `127.0.0.1:${port}`);
  const down = (node?: number) =>
    Bun.spawnSync(["bash", join(ROOT, "scripts", "kafka-down.sh"), "--kill", ...(node === undefined ? [] : ["--node", String(node)])], {
      env,
      stdout: "ignore",
      stderr: "ignore",
      timeout: 40_000,
    });
  const pidOf = (node: number): number | undefined => {
    try {
      return Number(readFileSync(join(homeDir, `node-${node}`, "kafka.pid"), "utf8").trim());
    } catch {
      return undefined;
    }
  };
  const isRunning = (node: number): boolean => {
    const pid = pidOf(node);
    if (pid === undefined) return false;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
      return false;
    }
  };
  /** An admin client on the nodes running now; closed after `use`. */
  const withAdmin = async <T>(use: (admin: Admin) => Promise<T>): Promise<T> => {
    const live = nodes.filter(isRunning).map((n) => addresses[n - 1]!);
    const kafka = new Kafka({ clientId: "fault-cluster", brokers: live, logLevel: logLevel.NOTHING, connectionTimeout: 2_000, requestTimeout: 5_000, retry: { retries: 2 } });
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await use(admin);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  };
  const cluster: PrivateCluster = {
    addresses,
    homeDir,
    nodes,
    async up(node) {
      const proc = Bun.spawn(["bash", join(ROOT, "scripts", "kafka-up.sh"), ...(node === undefined ? [] : ["--node", String(node)])], {
        env,
        stdin: "ignore",
        stdout: "ignore",
        stderr: "pipe",
        timeout: (READY_TIMEOUT_S + 30) * 1000,
      });
      const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
      if (code !== 0) throw new Error(`private cluster on ${addresses.join(",")} did not start (${code ?? proc.signalCode}):\n${stderr.slice(-3000)}`);
    },
    kill: (node) => void down(node),
    partitions: (topic) =>
      withAdmin(async (admin) => {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        return (topics[0]?.partitions ?? [])
          .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: [...p.replicas].sort(), isr: [...p.isr].sort() }))
          .sort((a, b) => a.partition - b.partition);
      }),
    topicConfig: (topic, name) =>
      withAdmin(async (admin) => {
        const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2 /* TOPIC */, name: topic, configNames: [name] }] });
        return resources[0]?.configEntries.find((e) => e.configName === name)?.configValue;
      }),
    activeController() {
      let best: { leaderId: number; leaderEpoch: number } | undefined;
      for (const node of nodes.filter(isRunning)) {
        try {
          const state = JSON.parse(readFileSync(join(homeDir, `node-${node}`, "data", "__cluster_metadata-0", "quorum-state"), "utf8")) as { leaderId: number; leaderEpoch: number };
          if (state.leaderId >= 0 && (!best || state.leaderEpoch > best.leaderEpoch)) best = state;
        } catch {
          // Not written yet.
        }
      }
      return best && isRunning(best.leaderId) ? best.leaderId : undefined;
    },
    isRunning,
    destroy() {
      down();
      rmSync(homeDir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.up();
  } catch (err) {
    cluster.destroy();
    throw err;
  }
  return cluster;
}
