/**
 * A Kafka broker of a fault test's own, on free ports with its state in a temp folder, so a
 * test can SIGKILL and restart it without touching the shared broker on 9092. It runs
 * scripts/kafka-up.sh / kafka-down.sh with KAFKA_HOME_DIR pointing at its folder; the jars
 * are the dev broker's (a symlink), so nothing is downloaded.
 */
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, SHARED_KAFKA_LIBS } from "./kafka-home.ts";

const ROOT = join(import.meta.dir, "..", "..", "..");
const READY_TIMEOUT_S = 120;

export interface PrivateBroker {
  /** host:port for the nodes. */
  address: string;
  homeDir: string;
  /** Starts the broker (again) and resolves once it serves metadata and groups. */
  up(): Promise<void>;
  /** SIGKILL: the broker vanishes mid-request, as in a crash. */
  kill(): void;
  /** Stops the broker and removes its folder; never throws (for afterAll). */
  destroy(): void;
}

/** Creates (and starts) a broker on two free ports. */
export async function startPrivateBroker(): Promise<PrivateBroker> {
  const homeDir = mkdtempSync(join(tmpdir(), "lt-fault-kafka-"));
  symlinkSync(SHARED_KAFKA_LIBS, join(homeDir, "libs"));
  const port = await freePort();
  const controllerPort = await freePort();
  const env = {
    ...process.env,
    KAFKA_HOST: "127.0.0.1",
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_HOME_DIR: homeDir,
    KAFKA_READY_TIMEOUT_S: String(READY_TIMEOUT_S),
    // A small heap: the machine is shared with the dev broker and other tests.
    KAFKA_HEAP_OPTS: "-Xms128m -Xmx384m",
  };
  const down = (kill: boolean) =>
    Bun.spawnSync(["bash", join(ROOT, "scripts", "kafka-down.sh"), ...(kill ? ["--kill"] : [])], {
      env,
      stdout: "ignore",
      stderr: "ignore",
      timeout: 40_000,
    });
  const broker: PrivateBroker = {
    address: `127.0.0.1:${port}`,
    homeDir,
    async up() {
      const proc = Bun.spawn(["bash", join(ROOT, "scripts", "kafka-up.sh")], {
        env,
        stdin: "ignore",
        stdout: "ignore",
        stderr: "pipe",
        timeout: (READY_TIMEOUT_S + 30) * 1000,
      });
      const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
      if (code !== 0) throw new Error(`private broker on ${broker.address} did not start (${code ?? proc.signalCode}):\n${stderr.slice(-3000)}`);
    },
    kill: () => void down(true),
    destroy() {
      down(true);
      rmSync(homeDir, { recursive: true, force: true });
    },
  };
  try {
    await broker.up();
  } catch (err) {
    broker.destroy();
    throw err;
  }
  return broker;
}
