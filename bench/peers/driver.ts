import { join } from "node:path";
import type { DriverNodeJob, DriverNodeResult } from "../children/driver-node.ts";
import { runJsonChild, runJsonChildWithCpu, type RunChildOptions } from "../child-process.ts";
import type { LoadResult, LoadSpec, Peer } from "../load-result.ts";
import { spawnHook, toolCommand } from "../pinned-target.ts";
import type { SenderChoice } from "../sender-choice.ts";

const CHILD = join(import.meta.dir, "..", "children", "driver-node.ts");

/** Runs one real driver on a job in its own Bun process. */
export function runDriverNode(job: DriverNodeJob, options: RunChildOptions): Promise<DriverNodeResult> {
  return runJsonChild<DriverNodeResult>("driver", ["bun", CHILD, JSON.stringify(job)], options);
}

/** Largest count a driver accepts (MAX_COUNT_PER_DRIVER): duration-bound runs stop long before it. */
const UNBOUNDED_COUNT = 100_000_000;

/** Maps a duration-bound AVALANCHE run to a {@link LoadResult}. */
export function fromDriverResult(result: DriverNodeResult): LoadResult {
  const c = result.counts;
  const duration_s = result.elapsed_ms / 1000;
  return {
    tool: "ours (driver)",
    requests: c.completed,
    duration_s,
    rps: c.completed / duration_s,
    p50_ms: result.metrics.median_latency,
    p99_ms: result.metrics.p99_latency ?? NaN,
    errors: c.timeout + c.connection_error,
    non_2xx: c.status_3xx + c.status_4xx + c.status_5xx,
    cpu_us_per_req: NaN,
  };
}

/** Our driver in AVALANCHE mode with the given HTTP path, stopped after the duration like a test stopped by the user. */
export function driverPeer(name: string, sender: SenderChoice, child = CHILD): Peer {
  return {
    name,
    async version() {
      return `bun ${Bun.version}`;
    },
    async available() {
      return null;
    },
    async run(spec: LoadSpec) {
      const { url, connections, duration_s } = spec;
      const job: DriverNodeJob = { url, mode: "AVALANCHE", count: UNBOUNDED_COUNT, concurrency: connections, stop_after_ms: duration_s * 1000, sender };
      const { value, cpu_us } = await runJsonChildWithCpu<DriverNodeResult>("driver", toolCommand(spec, ["bun", child, JSON.stringify(job)]), {
        timeoutMs: duration_s * 1000 + 30_000,
        ...spawnHook(spec),
      });
      const result = fromDriverResult(value);
      return { ...result, tool: name, cpu_us_per_req: cpu_us / result.requests };
    },
  };
}

/** Our driver as another checkout at `root` wires it (`--baseline`: A/B of a driver change in alternated rounds). */
export function baselineDriver(root: string): Peer {
  return driverPeer(`ours @ ${root}`, "default", join(root, "bench", "children", "driver-node.ts"));
}

/** Our driver as `bun run driver` wires it. */
export const ourDriver: Peer = driverPeer("ours (driver)", "default");
