import type { Subprocess } from "bun";
import { join } from "node:path";

/** The project's target server, run as its own process for the whole bench. */
export interface TargetProcess {
  url: string;
  pingUrl: string;
  port: number;
  pid: number;
  /** Responses the target has produced on /ping so far (its own count, to cross-check the tools). */
  pingResponses(): Promise<number>;
  stop(): Promise<void>;
}

const ROOT = join(import.meta.dir, "..");
const STARTUP_TIMEOUT_MS = 10_000;

/** Starts `bun target/main.ts` on 127.0.0.1 and a free port; resolves once it listens. */
export async function startTarget(): Promise<TargetProcess> {
  const proc: Subprocess<"ignore", "pipe", "inherit"> = Bun.spawn(
    ["bun", join(ROOT, "target", "main.ts"), "--host", "127.0.0.1", "--port", "0"],
    { stdin: "ignore", stdout: "pipe", stderr: "inherit" },
  );
  return targetHandle(proc, await readListeningUrl(proc));
}

/** The handle of a target process listening on `url`: its URLs, its own /ping count, and a stop. */
export function targetHandle(proc: Subprocess, url: string): TargetProcess {
  return {
    url,
    pingUrl: `${url}/ping`,
    port: Number(new URL(url).port),
    pid: proc.pid,
    async pingResponses() {
      const res = await fetch(`${url}/metrics?format=json`);
      const body = (await res.json()) as { ping: { responses: number } };
      return body.ping.responses;
    },
    async stop() {
      proc.kill("SIGTERM");
      const killer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      await proc.exited;
      clearTimeout(killer);
    },
  };
}

/** Reads a target's stdout until it prints "target listening on <url>", then keeps draining it. */
export async function readListeningUrl(proc: Subprocess<"ignore", "pipe", "inherit">): Promise<string> {
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = setTimeout(() => proc.kill("SIGKILL"), STARTUP_TIMEOUT_MS);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`target exited before listening (exit ${await proc.exited}): ${text}`);
      text += decoder.decode(value, { stream: true });
      const match = /target listening on (http:\/\/\S+)/.exec(text);
      if (match) return match[1]!;
    }
  } finally {
    clearTimeout(deadline);
    // Keep draining stdout so the target never blocks on a full pipe.
    void (async () => {
      try {
        while (!(await reader.read()).done);
      } catch {
        // The target went away: nothing left to read.
      }
    })();
  }
}
