import { join } from "node:path";
import { runJsonChildWithCpu } from "../child-process.ts";
import type { LoadResult, LoadSpec, Peer } from "../load-result.ts";
import { spawnHook, toolCommand } from "../pinned-target.ts";

const REPORT_SCRIPT = join(import.meta.dir, "wrk-report.lua");

/** wrk threads: one event loop, like autocannon and our driver's one JavaScript thread. */
export const WRK_THREADS = 1;

/** What `wrk-report.lua` prints. */
export interface WrkJson {
  requests: number;
  duration_us: number;
  p50_us: number;
  p99_us: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
}

/** Maps the Lua report to a {@link LoadResult}. */
export function fromWrkJson(json: WrkJson): LoadResult {
  const duration_s = json.duration_us / 1e6;
  return {
    tool: "wrk",
    requests: json.requests,
    duration_s,
    rps: json.requests / duration_s,
    p50_ms: json.p50_us / 1000,
    p99_ms: json.p99_us / 1000,
    errors: json.connect + json.read + json.write + json.timeout,
    non_2xx: json.status,
    cpu_us_per_req: NaN,
  };
}

/** How to get wrk when it is missing. */
export const WRK_INSTALL_HINT = "wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu) or `brew install wrk`";

/** Debian's `wrk` binary, when installed. */
export const wrk: Peer = wrkPeer("wrk", []);

/**
 * wrk sending the same request head as our driver's pool (User-Agent and Accept besides Host):
 * a diagnostic peer (`--peers wrk-our-headers`) that tells the server's cost of those headers
 * apart from the tool's way of sending.
 */
export const wrkOurHeaders: Peer = wrkPeer("wrk, our headers", ["-H", "User-Agent: kafka-loadtest", "-H", "Accept: */*"]);

/** wrk under `name` with extra CLI arguments before the URL. */
export function wrkPeer(name: string, extraArgs: readonly string[]): Peer {
  return {
  name,
  async version() {
    const bin = Bun.which("wrk");
    if (bin === null) return "wrk not installed";
    // `wrk --version` prints its banner and exits 1.
    const banner = Bun.spawnSync([bin, "--version"]).stdout.toString().split("\n")[0] ?? "";
    return banner.replace(/\s*Copyright.*$/, "").trim();
  },
  async available() {
    return Bun.which("wrk") === null ? WRK_INSTALL_HINT : null;
  },
  async run(spec: LoadSpec) {
    const { url, connections, duration_s } = spec;
    const { value: json, cpu_us } = await runJsonChildWithCpu<WrkJson>(
      "wrk",
      toolCommand(spec, ["wrk", "-t", String(WRK_THREADS), "-c", String(connections), "-d", `${duration_s}s`, "--timeout", "10s", "-s", REPORT_SCRIPT, ...extraArgs, url]),
      { timeoutMs: duration_s * 1000 + 20_000, ...spawnHook(spec) },
    );
    const result = fromWrkJson(json);
    return { ...result, tool: name, cpu_us_per_req: cpu_us / result.requests };
  },
  };
}
