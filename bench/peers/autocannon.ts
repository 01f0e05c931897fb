import { join } from "node:path";
import { runJsonChildWithCpu } from "../child-process.ts";
import type { LoadResult, LoadSpec, Peer } from "../load-result.ts";
import { spawnHook, toolCommand } from "../pinned-target.ts";

const PACKAGE_DIR = join(import.meta.dir, "..", "..", "node_modules", "autocannon");
const CLI = join(PACKAGE_DIR, "autocannon.js");

/** The fields of `autocannon --json` the bench reads. */
export interface AutocannonJson {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  latency: { p50: number; p99: number };
  requests: { total: number };
}

/** Maps autocannon's JSON summary to a {@link LoadResult}. */
export function fromAutocannonJson(json: AutocannonJson): LoadResult {
  return {
    tool: "autocannon",
    requests: json.requests.total,
    duration_s: json.duration,
    rps: json.requests.total / json.duration,
    p50_ms: json.latency.p50,
    p99_ms: json.latency.p99,
    errors: json.errors + json.timeouts,
    non_2xx: json.non2xx,
    cpu_us_per_req: NaN,
  };
}

/** Node runs autocannon as its authors intend; Bun only when Node is missing. */
const runtime = (): string => Bun.which("node") ?? "bun";

/** autocannon's CLI in its own process (never on our event loop). */
export const autocannon: Peer = autocannonPeer("autocannon", []);

/** autocannon under `name` with extra CLI arguments before the URL (`-m POST -H k=v -b body`). */
export function autocannonPeer(name: string, extraArgs: readonly string[]): Peer {
  return {
    name,
    async version() {
      const pkg = (await Bun.file(join(PACKAGE_DIR, "package.json")).json()) as { version: string };
      const node = Bun.which("node");
      const on = node === null ? `bun ${Bun.version}` : `node ${Bun.spawnSync([node, "--version"]).stdout.toString().trim()}`;
      return `autocannon ${pkg.version} (${on})`;
    },
    async available() {
      return (await Bun.file(CLI).exists()) ? null : "autocannon is not installed: run `bun install` (it is a devDependency)";
    },
    async run(spec: LoadSpec) {
      const { url, connections, duration_s } = spec;
      const { value: json, cpu_us } = await runJsonChildWithCpu<AutocannonJson>(
        "autocannon",
        toolCommand(spec, [runtime(), CLI, "--json", "-c", String(connections), "-d", String(duration_s), ...extraArgs, url]),
        { timeoutMs: duration_s * 1000 + 20_000, ...spawnHook(spec) },
      );
      const result = fromAutocannonJson(json);
      return { ...result, tool: name, cpu_us_per_req: cpu_us / result.requests };
    },
  };
}
