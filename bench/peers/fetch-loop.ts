import { join } from "node:path";
import { runJsonChildWithCpu } from "../child-process.ts";
import type { LoadResult, LoadSpec, Peer } from "../load-result.ts";
import { spawnHook, toolCommand } from "../pinned-target.ts";

const CHILD = join(import.meta.dir, "..", "children", "fetch-loop.ts");

/** The bare `fetch` loop (reference line), in its own Bun process. */
export const fetchLoop: Peer = {
  name: "bare fetch",
  async version() {
    return `bun ${Bun.version}`;
  },
  async available() {
    return null;
  },
  async run(spec: LoadSpec) {
    const { url, connections, duration_s } = spec;
    const { value, cpu_us } = await runJsonChildWithCpu<LoadResult>("bare fetch", toolCommand(spec, ["bun", CHILD, url, String(connections), String(duration_s)]), {
      timeoutMs: duration_s * 1000 + 20_000,
      ...spawnHook(spec),
    });
    return { ...value, cpu_us_per_req: cpu_us / value.requests };
  },
};
