import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runChild, runJsonChild } from "../child-process.ts";
import { GO_PEERS, goBinary, toolBinary } from "../go-tools.ts";
import type { LoadResult, LoadSpec, Peer } from "../load-result.ts";
import { spawnHook, toolCommand } from "../pinned-target.ts";
import { GO_PEER_PROCS } from "./bombardier.ts";

/** The fields of `vegeta report -type=json` the bench reads (times in ns). */
export interface VegetaJson {
  /** Attack duration: first to last request sent, ns. */
  duration: number;
  /** Last request sent to its response, ns. */
  wait: number;
  requests: number;
  latencies: { "50th": number; "99th": number };
  status_codes: Record<string, number>;
}

/** Maps vegeta's JSON report to a {@link LoadResult}: status 0 is vegeta's code for a request that got no response. */
export function fromVegetaJson(json: VegetaJson): LoadResult {
  const codes = Object.entries(json.status_codes);
  const failed = codes.filter(([code]) => code === "0").reduce((sum, [, n]) => sum + n, 0);
  const non2xx = codes.filter(([code]) => code !== "0" && !code.startsWith("2")).reduce((sum, [, n]) => sum + n, 0);
  const responses = json.requests - failed;
  const duration_s = (json.duration + json.wait) / 1e9;
  return {
    tool: "vegeta",
    requests: responses,
    duration_s,
    rps: responses / duration_s,
    p50_ms: json.latencies["50th"] / 1e6,
    p99_ms: json.latencies["99th"] / 1e6,
    errors: failed,
    non_2xx: non2xx,
    cpu_us_per_req: NaN,
  };
}

/**
 * vegeta in its closed-loop mode (`-rate=0`: every worker sends its next request when the last
 * one is answered), one worker per connection, GOMAXPROCS=1. The attack writes its results to a
 * file and `vegeta report` reads them after, outside the measured process.
 */
export const vegeta: Peer = {
  name: "vegeta",
  async version() {
    return toolBinary("vegeta") === null ? "vegeta not installed" : `vegeta ${GO_PEERS.vegeta.split("@")[1]} (GOMAXPROCS=${GO_PEER_PROCS})`;
  },
  async available() {
    if (toolBinary("vegeta") !== null) return null;
    return goBinary() === null ? "vegeta is not installed and Go is missing to install it" : `vegeta is not installed: go install ${GO_PEERS.vegeta}`;
  },
  async run(spec: LoadSpec) {
    const { url, connections, duration_s } = spec;
    const bin = toolBinary("vegeta")!;
    const dir = mkdtempSync(join(tmpdir(), "bench-vegeta-"));
    try {
      const targets = join(dir, "targets.txt");
      const results = join(dir, "results.bin");
      writeFileSync(targets, `GET ${url}\n`);
      const c = String(connections);
      const attack = await runChild(
        toolCommand(spec, [bin, "attack", "-rate=0", `-workers=${c}`, `-max-workers=${c}`, `-duration=${duration_s}s`, "-timeout=10s", `-targets=${targets}`, `-output=${results}`]),
        { timeoutMs: duration_s * 1000 + 20_000, env: { GOMAXPROCS: GO_PEER_PROCS }, ...spawnHook(spec) },
      );
      if (attack.exitCode !== 0) throw new Error(`vegeta attack: exit ${attack.exitCode}${attack.timedOut ? " (timed out)" : ""}; stderr: ${attack.stderr.trim().slice(-300) || "(empty)"}`);
      const report = await runJsonChild<VegetaJson>("vegeta report", [bin, "report", "-type=json", results], { timeoutMs: 60_000 });
      const result = fromVegetaJson(report);
      return { ...result, cpu_us_per_req: attack.cpu_us / result.requests };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
