import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScenarioLoopJob, ScenarioLoopResult } from "../children/scenario-loop.ts";
import { runJsonChildWithCpu } from "../child-process.ts";
import { comparePeers } from "../compare.ts";
import type { LoadSpec, Peer } from "../load-result.ts";
import { autocannonPeer } from "../peers/autocannon.ts";
import type { BenchContext, Section, SectionReport, Verdict } from "../section.ts";
import { median, ratio } from "../summary.ts";
import { fmt, fmtRatio, markdownTable } from "../table.ts";
import { throughputTable } from "./throughput.ts";

const CHILD = join(import.meta.dir, "..", "children", "scenario-loop.ts");
const CONNECTIONS = 64;
/** A 1 KiB JSON body (exactly 1024 bytes), the same for every tool. */
const BODY = kib("item-1");
/** The same with `${seq}` in it: the request is built per send. */
const TEMPLATED_BODY = kib("item-${seq}");

/** `{"id":ID,"pad":"xxx…"}` padded to 1,024 bytes. */
function kib(id: string): string {
  return JSON.stringify({ id, pad: "x".repeat(1024 - JSON.stringify({ id, pad: "" }).length) });
}
const HEADERS: [string, string][] = [["content-type", "application/json"], ["authorization", "Bearer bench-token"]];

/** Runs the scenario-loop child once. */
async function runLoop(job: ScenarioLoopJob): Promise<ScenarioLoopResult> {
  const { value } = await runJsonChildWithCpu<ScenarioLoopResult>("scenario-loop", ["bun", CHILD, JSON.stringify(job)], { timeoutMs: job.duration_s * 1000 + 30_000 });
  return value;
}

/** Our send loop as a throughput peer, sending `request` (or the plain GET). */
function loopPeer(name: string, request: ScenarioLoopJob["request"]): Peer {
  return {
    name,
    version: async () => `bun ${Bun.version}`,
    available: async () => null,
    async run({ url, connections, duration_s }: LoadSpec) {
      const r = await runLoop({ url, connections, duration_s, ...(request ? { request } : {}) });
      return { tool: name, requests: r.completed, duration_s: r.duration_s, rps: r.rps, p50_ms: r.p50_ms, p99_ms: r.p99_ms, errors: r.errors, non_2xx: r.non_2xx, cpu_us_per_req: r.steady_cpu_us_per_req };
    },
  };
}

const post = { method: "POST" as const, headers: HEADERS, body: BODY };
const OURS_POST = loopPeer("ours, POST 1 KiB", post);
const AC_POST = autocannonPeer("autocannon, POST 1 KiB", ["-m", "POST", ...HEADERS.flatMap(([k, v]) => ["-H", `${k}=${v}`]), "-b", BODY]);

/** A self-signed certificate made with openssl in a temporary folder; null when openssl is missing or fails. */
function selfSigned(): { dir: string; cert: string; key: string } | null {
  if (Bun.which("openssl") === null) return null;
  const dir = mkdtempSync(join(tmpdir(), "bench-tls-"));
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  const made = Bun.spawnSync(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost"], { stderr: "pipe" });
  return made.exitCode === 0 ? { dir, cert, key } : null;
}

/** https at c=64 and c=256 against a Bun TLS server that counts the connections it sees. */
async function httpsRates(ctx: BenchContext): Promise<{ rows: (string | number)[][]; verdict: Verdict }> {
  const tls = selfSigned();
  if (tls === null) return { rows: [], verdict: { target: "https c=256 ≥ 0.8× its c=64 rate, ≤ 256 connections", figure: "not run", met: null, why: "openssl is missing" } };
  const ports = new Set<number>();
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    tls: { cert: Bun.file(tls.cert), key: Bun.file(tls.key) },
    fetch(req, srv) {
      ports.add(srv.requestIP(req)!.port);
      return new Response('{"message":"pong"}', { headers: { "content-type": "application/json" } });
    },
  });
  const rates = new Map<number, number[]>();
  const connections = new Map<number, number>();
  const rows: (string | number)[][] = [];
  try {
    for (let round = 0; round < ctx.repeats; round++) {
      for (const c of round % 2 === 0 ? [64, 256] : [256, 64]) {
        ports.clear();
        const r = await runLoop({ url: `https://127.0.0.1:${server.port}/ping`, connections: c, duration_s: ctx.duration_s, tlsInsecure: true });
        ctx.progress(`scenario: https c=${c}: ${fmt(r.steady_rps)} req/s steady, ${ports.size} connections${r.first_error ? `, first error ${r.first_error}` : ""}`);
        rates.set(c, [...(rates.get(c) ?? []), r.steady_rps]);
        connections.set(c, Math.max(connections.get(c) ?? 0, ports.size));
        rows.push([fmt(c), `${round + 1}`, fmt(r.steady_rps), fmt(r.rps), fmt(r.p50_ms, 2), fmt(r.p99_ms, 2), fmt(r.steady_cpu_us_per_req, 1), `${ports.size}`, r.errors > 0 ? `${r.errors} errors` : ""]);
      }
    }
  } finally {
    void server.stop(true);
    rmSync(tls.dir, { recursive: true, force: true });
  }
  const keeps = ratio(median(rates.get(256) ?? []), median(rates.get(64) ?? []));
  const seen = connections.get(256) ?? NaN;
  return {
    rows,
    verdict: {
      target: "https c=256 ≥ 0.8× its c=64 rate, server sees ≤ 256 connections",
      figure: `${fmtRatio(keeps)} (${fmt(median(rates.get(256) ?? []))} vs ${fmt(median(rates.get(64) ?? []))} req/s), ${seen} connections at c=256`,
      met: Number.isFinite(keeps) ? keeps >= 0.8 && seen <= 256 : null,
      why:
        "steady rates (25% to 90% of each run: the TLS handshakes of the first connections left out); the pool speaks TLS itself " +
        "(Bun.connect with tls): one connection per slot, no churn past fetch's 64 idle sockets",
    },
  };
}

/** Issue 11's figures: POST 1 KiB vs autocannon, templated vs prebuilt body CPU, https c=256 vs c=64. */
export const scenarioSection: Section = {
  id: "scenario",
  title: "Scenarios: POST bodies, templating, https",
  async run(ctx: BenchContext): Promise<SectionReport> {
    const verdicts: Verdict[] = [];
    const spec = { url: ctx.target.pingUrl, connections: CONNECTIONS, duration_s: ctx.duration_s };
    ctx.progress(`scenario: POST 1 KiB JSON at c=${CONNECTIONS}, ours vs autocannon; ${ctx.repeats}× ${ctx.duration_s} s`);
    const series = await comparePeers([OURS_POST, AC_POST], spec, ctx.repeats, ctx.target, ctx.progress);
    const [ours, ac] = [series[0]!, series[1]!];
    const vsAc = ratio(ours.rps, ac.rps);
    verdicts.push({
      target: "POST 1 KiB JSON at c=64: ours ≥ 1.0× autocannon",
      figure: `${fmtRatio(vsAc)} (${fmt(ours.rps)} vs ${fmt(ac.rps)} req/s)`,
      met: Number.isFinite(vsAc) ? vsAc >= 1 : null,
      why: `CPU per request: ours ${fmt(ours.cpu_us_per_req, 1)} µs (steady state), autocannon ${fmt(ac.cpu_us_per_req, 1)} µs (whole process)`,
    });

    ctx.progress("scenario: templated vs prebuilt body, CPU per request");
    const cpu = { prebuilt: [] as number[], templated: [] as number[] };
    let source = "";
    for (let round = 0; round < ctx.repeats; round++) {
      for (const kind of round % 2 === 0 ? (["prebuilt", "templated"] as const) : (["templated", "prebuilt"] as const)) {
        const r = await runLoop({ ...spec, request: { ...post, body: kind === "prebuilt" ? BODY : TEMPLATED_BODY } });
        cpu[kind].push(r.steady_cpu_us_per_req);
        source = r.source;
      }
    }
    const extra = ratio(median(cpu.templated), median(cpu.prebuilt));
    verdicts.push({
      target: "a templated body costs ≤ 15% more CPU per request than the same body prebuilt",
      figure: `${fmtRatio(extra)} (${fmt(median(cpu.templated), 1)} vs ${fmt(median(cpu.prebuilt), 1)} µs/req)`,
      met: Number.isFinite(extra) ? extra <= 1.15 : null,
      why: `request source: ${source}; CPU of the loop's process between 25% and 90% of each run`,
    });

    ctx.progress("scenario: https c=64 vs c=256");
    const https = await httpsRates(ctx);
    verdicts.push(https.verdict);

    const markdown = [
      `POST ${ctx.target.pingUrl} with a 1,024-byte JSON body and two headers (content-type, authorization), ${CONNECTIONS} connections, ` +
        `${ctx.repeats} run(s) of ${ctx.duration_s} s per tool, alternated; ours is the send loop through the HTTP/1.1 pool (bench/children/scenario-loop.ts), ` +
        "autocannon gets the same `-m POST -H … -b …`. Ours' CPU µs/req is its steady state; autocannon's its whole process.",
      "",
      throughputTable(series, OURS_POST.name),
      "",
      `Templated body (\`\${seq}\` in the JSON) vs the same body prebuilt, CPU µs per request (request source: ${source}): ` +
        `templated ${cpu.templated.map((v) => fmt(v, 1)).join(", ")}; prebuilt ${cpu.prebuilt.map((v) => fmt(v, 1)).join(", ")}.`,
      "",
      "https GET against a Bun TLS server with a self-signed certificate (in the bench process; `tlsInsecure`), connections counted by client port:",
      "",
      markdownTable([">connections", ">run", ">steady req/s", ">whole-run req/s", ">p50 ms", ">p99 ms", ">CPU µs/req", ">server saw connections", "notes"], https.rows),
    ].join("\n");
    return { id: "scenario", title: this.title, markdown, verdicts };
  },
};
