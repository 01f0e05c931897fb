import type { LoadResult, LoadSpec, Peer } from "./load-result.ts";
import { median } from "./summary.ts";
import type { TargetProcess } from "./target-process.ts";

/** Every run of one tool, and the medians of its runs' figures (same fields as one {@link LoadResult}). */
export interface ToolSeries extends Pick<LoadResult, "rps" | "p50_ms" | "p99_ms" | "errors" | "non_2xx" | "cpu_us_per_req"> {
  name: string;
  runs: LoadResult[];
  /** Responses counted by the target per second of each run (cross-check of the tool's count). */
  target_rps: number[];
  /** Why the tool was not run (missing) or failed, when it was not. */
  skipped: string | null;
}

/** Round `round`'s running order: the list rotated by `round`, so no tool always goes first. */
export function rotation<T>(items: readonly T[], round: number): T[] {
  const k = items.length === 0 ? 0 : round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** Medians of a tool's runs (errors summed). */
export function summarizeRuns(name: string, runs: LoadResult[], target_rps: number[], skipped: string | null): ToolSeries {
  return {
    name,
    runs,
    target_rps,
    rps: median(runs.map((r) => r.rps)),
    p50_ms: median(runs.map((r) => r.p50_ms)),
    p99_ms: median(runs.map((r) => r.p99_ms)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    non_2xx: runs.reduce((sum, r) => sum + r.non_2xx, 0),
    cpu_us_per_req: median(runs.map((r) => r.cpu_us_per_req)),
    skipped,
  };
}

const PAUSE_BETWEEN_RUNS_MS = 500;

/**
 * Runs every available peer `repeats` times on the same load, alternating the order each
 * round, and returns one series per peer (in the peers' order).
 */
export async function comparePeers(
  peers: readonly Peer[],
  spec: LoadSpec,
  repeats: number,
  target: TargetProcess,
  progress: (line: string) => void,
): Promise<ToolSeries[]> {
  const runs = new Map<string, LoadResult[]>(peers.map((p) => [p.name, []]));
  const targetRps = new Map<string, number[]>(peers.map((p) => [p.name, []]));
  const skipped = new Map<string, string | null>();
  for (const peer of peers) skipped.set(peer.name, await peer.available());
  for (let round = 0; round < repeats; round++) {
    for (const peer of rotation(peers, round)) {
      if (skipped.get(peer.name) !== null) continue;
      const before = await target.pingResponses();
      try {
        const result = await peer.run(spec);
        const after = await target.pingResponses();
        runs.get(peer.name)!.push(result);
        targetRps.get(peer.name)!.push((after - before) / result.duration_s);
        progress(`  ${peer.name} c=${spec.connections} round ${round + 1}/${repeats}: ${Math.round(result.rps)} req/s, p50 ${result.p50_ms.toFixed(2)} ms, p99 ${result.p99_ms.toFixed(2)} ms, ${result.cpu_us_per_req.toFixed(1)} µs CPU/req`);
      } catch (error) {
        progress(`  ${peer.name} failed: ${(error as Error).message}`);
        skipped.set(peer.name, `failed: ${(error as Error).message}`);
      }
      await Bun.sleep(PAUSE_BETWEEN_RUNS_MS);
    }
  }
  return peers.map((p) => summarizeRuns(p.name, runs.get(p.name)!, targetRps.get(p.name)!, runs.get(p.name)!.length > 0 ? null : skipped.get(p.name) ?? null));
}
