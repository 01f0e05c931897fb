import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { waitFor } from "./wait.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

/** Which build of the nodes to run: the TypeScript sources with Bun, or the compiled executables in dist/. */
export type FleetBuild = "source" | "dist";

const ENTRY: Record<string, string> = {
  orchestrator: "src/orchestrator/main.ts",
  driver: "src/driver/main.ts",
  target: "target/main.ts",
  loadtest: "src/cli/main.ts",
};

/** The command line that starts node `kind` from the chosen build. */
export function nodeCommand(kind: keyof typeof ENTRY, build: FleetBuild = "source"): string[] {
  return build === "dist" ? [join(ROOT, "dist", kind)] : ["bun", join(ROOT, ENTRY[kind]!)];
}

/** A node process of the fleet, with its combined output in a log file. */
export interface NodeProcess {
  name: string;
  proc: Subprocess;
  logPath: string;
  /** Everything the node printed so far. */
  output(): string;
}

export interface FleetOptions {
  brokers: string[];
  topicPrefix: string;
  build?: FleetBuild;
  /** Extra environment for every node. */
  env?: Record<string, string>;
}

/**
 * Starts and tracks the processes of one end-to-end test (target, orchestrator, drivers) and
 * stops every one of them in `stop()`, which a test calls in `afterAll`/`finally` so nothing is
 * left behind even when the test fails. Logs go to tests/artifacts/<run>/<name>.log.
 */
export class Fleet {
  readonly dir: string;
  private readonly nodes: NodeProcess[] = [];

  constructor(private readonly options: FleetOptions) {
    this.dir = join(ROOT, "tests", "artifacts", options.topicPrefix.replace(/-$/, ""));
    mkdirSync(this.dir, { recursive: true });
  }

  private env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...(process.env as Record<string, string>),
      KAFKA_BROKERS: this.options.brokers.join(","),
      KAFKA_TOPIC_PREFIX: this.options.topicPrefix,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
      ...this.options.env,
      ...extra,
    };
  }

  /** Spawns a node and returns at once; use the ready helpers to wait for it. */
  spawn(kind: keyof typeof ENTRY, name: string, args: string[] = [], env: Record<string, string> = {}): NodeProcess {
    const logPath = join(this.dir, `${name}.log`);
    const proc = Bun.spawn([...nodeCommand(kind, this.options.build), ...args], {
      cwd: ROOT,
      env: this.env(env),
      stdout: Bun.file(logPath),
      stderr: Bun.file(logPath),
      stdin: "ignore",
    });
    const node: NodeProcess = {
      name,
      proc,
      logPath,
      output: () => {
        try {
          return readFileSync(logPath, "utf8");
        } catch {
          return "";
        }
      },
    };
    this.nodes.push(node);
    return node;
  }

  /** Waits for a line matching `pattern` in a node's output; fails early if the node exits. */
  async waitForOutput(node: NodeProcess, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    return waitFor(
      `${node.name} to print ${pattern}`,
      () => {
        const match = node.output().match(pattern);
        if (match) return match;
        if (node.proc.exitCode !== null || node.proc.signalCode !== null) {
          throw new Error(`${node.name} exited (${node.proc.exitCode ?? node.proc.signalCode}):\n${node.output().slice(-2000)}`);
        }
        return null;
      },
      { timeoutMs, intervalMs: 25 },
    );
  }

  /** Starts the target on a free port and returns its base URL. */
  async target(name = "target", args: string[] = []): Promise<{ node: NodeProcess; url: string }> {
    const node = this.spawn("target", name, ["--port", "0", "--host", "127.0.0.1", ...args]);
    const match = await this.waitForOutput(node, /listening on (http:\/\/\S+)/);
    return { node, url: match[1]!.replace(/\/$/, "") };
  }

  /** Starts the orchestrator on a free port with its own database in the run's folder. */
  async orchestrator(name = "orchestrator", args: string[] = [], env: Record<string, string> = {}): Promise<{ node: NodeProcess; url: string }> {
    const hasDb = args.includes("--db");
    const node = this.spawn("orchestrator", name, ["--port", "0", ...(hasDb ? [] : ["--db", join(this.dir, `${name}.sqlite`)]), ...args], env);
    const match = await this.waitForOutput(node, /listening on (http:\/\/\S+)/, 60_000);
    return { node, url: match[1]!.replace(/\/$/, "") };
  }

  /** Starts a driver with a fixed node id. */
  driver(nodeId: string, args: string[] = [], env: Record<string, string> = {}): NodeProcess {
    return this.spawn("driver", nodeId, ["--node-id", nodeId, ...args], env);
  }

  /** The node started under `name`, if any. */
  nodeByName(name: string): NodeProcess | undefined {
    return this.nodes.find((n) => n.name === name);
  }

  /** Sends a signal and waits for the process to exit; returns its exit code. */
  async signal(node: NodeProcess, signal: NodeJS.Signals, timeoutMs = 30_000): Promise<number | null> {
    node.proc.kill(signal);
    const timer = setTimeout(() => node.proc.kill("SIGKILL"), timeoutMs);
    try {
      await node.proc.exited;
    } finally {
      clearTimeout(timer);
    }
    return node.proc.exitCode;
  }

  /** Stops every process still running: SIGTERM, then SIGKILL after a grace period. */
  async stop(graceMs = 10_000): Promise<void> {
    const running = this.nodes.filter((n) => n.proc.exitCode === null && n.proc.signalCode === null);
    await Promise.all(running.map((n) => this.signal(n, "SIGTERM", graceMs)));
  }
}
