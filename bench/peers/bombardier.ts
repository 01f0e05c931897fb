import { runJsonChildWithCpu } from "../child-process.ts";
import { GO_PEERS, goBinary, toolBinary } from "../go-tools.ts";
import type { LoadResult, LoadSpec, Peer } from "../load-result.ts";
import { spawnHook, toolCommand } from "../pinned-target.ts";

/** The fields of `bombardier -p r -o j -l` the bench reads (latencies in µs). */
export interface BombardierJson {
  result: {
    timeTakenSeconds: number;
    req1xx: number;
    req2xx: number;
    req3xx: number;
    req4xx: number;
    req5xx: number;
    others: number;
    errors?: { description: string; count: number }[];
    latency: { percentiles: Record<string, number> };
  };
}

/** Maps bombardier's JSON result to a {@link LoadResult}: every completed response counts, errors apart. */
export function fromBombardierJson(json: BombardierJson): LoadResult {
  const r = json.result;
  const responses = r.req1xx + r.req2xx + r.req3xx + r.req4xx + r.req5xx;
  return {
    tool: "bombardier",
    requests: responses,
    duration_s: r.timeTakenSeconds,
    rps: responses / r.timeTakenSeconds,
    p50_ms: (r.latency.percentiles["50"] ?? NaN) / 1000,
    p99_ms: (r.latency.percentiles["99"] ?? NaN) / 1000,
    errors: r.others + (r.errors ?? []).reduce((sum, e) => sum + e.count, 0),
    non_2xx: r.req1xx + r.req3xx + r.req4xx + r.req5xx,
    cpu_us_per_req: NaN,
  };
}

/** One Go scheduler thread, like wrk -t1 and our one JavaScript thread. */
export const GO_PEER_PROCS = "1";

/** bombardier (fasthttp client, its default), GOMAXPROCS=1. */
export const bombardier: Peer = {
  name: "bombardier",
  async version() {
    return toolBinary("bombardier") === null ? "bombardier not installed" : `bombardier ${GO_PEERS.bombardier.split("@")[1]} (GOMAXPROCS=${GO_PEER_PROCS})`;
  },
  async available() {
    if (toolBinary("bombardier") !== null) return null;
    return goBinary() === null ? "bombardier is not installed and Go is missing to install it" : `bombardier is not installed: go install ${GO_PEERS.bombardier}`;
  },
  async run(spec: LoadSpec) {
    const { url, connections, duration_s } = spec;
    const bin = toolBinary("bombardier")!;
    const { value, cpu_us } = await runJsonChildWithCpu<BombardierJson>(
      "bombardier",
      toolCommand(spec, [bin, "-c", String(connections), "-d", `${duration_s}s`, "-t", "10s", "-l", "-p", "r", "-o", "j", url]),
      { timeoutMs: duration_s * 1000 + 20_000, env: { GOMAXPROCS: GO_PEER_PROCS }, ...spawnHook(spec) },
    );
    const result = fromBombardierJson(value);
    return { ...result, cpu_us_per_req: cpu_us / result.requests };
  },
};
