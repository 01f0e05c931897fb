import { cpus, loadavg, totalmem } from "node:os";
import type { Peer } from "./load-result.ts";

/** The machine and tool versions a result was measured with. */
export interface BenchEnvironment {
  date: string;
  cores: number;
  cpu_model: string;
  memory_gib: number;
  bun: string;
  tools: string[];
  commit: string;
  loadavg_start: number[];
}

/** Reads the machine, versions and the load average before the run. */
export async function readEnvironment(peers: readonly Peer[]): Promise<BenchEnvironment> {
  const commit = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: import.meta.dir }).stdout.toString().trim();
  return {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpu_model: cpus()[0]?.model ?? "unknown",
    memory_gib: Math.round(totalmem() / 2 ** 30),
    bun: Bun.version,
    tools: await Promise.all(peers.map((p) => p.version())),
    commit: commit || "unknown",
    loadavg_start: loadavg(),
  };
}

/** The 1, 5 and 15 minute load averages, as text. */
export const loadText = (avg: number[]) => avg.map((x) => x.toFixed(2)).join(" / ");
