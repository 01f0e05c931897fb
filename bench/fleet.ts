import type { Subprocess } from "bun";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");

/** Whether a TCP listener answers at host:port within `timeoutMs`. */
export async function tcpAnswers(hostPort: string, timeoutMs = 1_000): Promise<boolean> {
  const at = hostPort.lastIndexOf(":");
  const timer = Bun.sleep(timeoutMs).then(() => false);
  const attempt = Bun.connect({ hostname: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)), socket: { data() {} } }).then(
    (socket) => {
      socket.end();
      return true;
    },
    () => false,
  );
  return Promise.race([attempt, timer]);
}

/** The first broker of KAFKA_BROKERS, else 127.0.0.1:9092 (where `bun run kafka:up` listens). */
export const benchBroker = (): string => (process.env.KAFKA_BROKERS ?? "").split(",")[0]?.trim() || "127.0.0.1:9092";

/** Orchestrator and driver processes of one bench step, logs in a temp folder; `stop()` ends them all. */
export class BenchFleet {
  readonly dir = mkdtempSync(join(tmpdir(), "bench-fleet-"));
  private readonly procs: { name: string; proc: Subprocess; log: string }[] = [];

  constructor(private readonly env: Record<string, string>) {}

  /** Starts `bun <entry> <args>`, with `env` on top of the fleet's (e.g. a faketime preload). */
  spawn(name: string, entry: string, args: string[], env: Record<string, string> = {}): { name: string; proc: Subprocess; log: string } {
    const log = join(this.dir, `${name}.log`);
    const proc = Bun.spawn(["bun", join(ROOT, entry), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, ...env },
      stdout: Bun.file(log),
      stderr: Bun.file(log),
      stdin: "ignore",
    });
    const node = { name, proc, log };
    this.procs.push(node);
    return node;
  }

  output(log: string): string {
    try {
      return readFileSync(log, "utf8");
    } catch {
      return "";
    }
  }

  /** Polls `check` every 50 ms until it returns a value; throws after `timeoutMs`. */
  async waitFor<T>(what: string, check: () => T | null | Promise<T | null>, timeoutMs = 30_000): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== null) return value;
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what} (logs in ${this.dir})`);
      await Bun.sleep(50);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.procs.map(async ({ proc }) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        proc.kill("SIGTERM");
        const killer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
        await proc.exited;
        clearTimeout(killer);
      }),
    );
  }
}
