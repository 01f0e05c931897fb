import { mkdir } from "node:fs/promises";
import { join } from "node:path";

/** Env var naming the folder for raw latency dumps (exact-median checks in tests). */
export const LATENCY_DUMP_ENV = "LOADTEST_LATENCY_DUMP";

/** Characters that are safe in a file name; anything else in an id becomes "_". */
const safe = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, "_");

/** Where the dump of one node's test goes: `<dir>/<node_id>-<test_id>.json`. */
export function latencyDumpPath(dir: string, nodeId: string, testId: string): string {
  return join(dir, `${safe(nodeId)}-${safe(testId)}.json`);
}

/** Writes every latency (ms, in completion order) of a test as a JSON array; returns the path. */
export async function writeLatencyDump(dir: string, nodeId: string, testId: string, latenciesMs: readonly number[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = latencyDumpPath(dir, nodeId, testId);
  await Bun.write(path, JSON.stringify(latenciesMs));
  return path;
}
