import { readFileSync } from "node:fs";
import { benchBroker, BenchFleet, tcpAnswers } from "../fleet.ts";
import { startReportLatencyProbe } from "../report-latency.ts";
import { sampleRss } from "../rss-sampler.ts";
import type { BenchContext, Section, SectionReport, Verdict } from "../section.ts";
import { median, quantile } from "../summary.ts";
import { fmt, markdownTable } from "../table.ts";

/** Fleet sizes of a full run; `--fleet` chooses others. */
export const FLEET_SIZES = [8, 32, 64] as const;
/** Goals of issue 12 at 64 drivers. */
export const FLEET_SSE_P99_GOAL_MS = 1_500;
export const FLEET_SKEW_MEDIAN_GOAL_MS = 10;
export const FLEET_SKEW_WORST_GOAL_MS = 50;
/** Light load each: 20 sends 200 ms apart (4 s, a report a second). */
const PER_DRIVER = 20;
const DELAY_MS = 200;

interface TestJson {
  state: string;
  per_driver: { node_id: string; first_send_at: number | null }[];
}

/** user + system CPU seconds of a process so far, from /proc (clock ticks of 10 ms). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** What one fleet size gave. */
interface FleetRun {
  drivers: number;
  registered_s: number;
  states: string[];
  cpu_percent: number;
  rss_max_mb: number;
  sse: number[];
  toOrchestrator: number[];
  matched: string;
  skews: number[];
}

async function runFleet(ctx: BenchContext, broker: string, drivers: number, tests: number): Promise<FleetRun> {
  const prefix = `benchfleet${drivers}-${Date.now().toString(36)}-`;
  const fleet = new BenchFleet({ KAFKA_BROKERS: broker, KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: "warn" });
  // Closed on the way out even when the run fails: its Kafka consumer kept a failed bench alive.
  let openProbe: { finish(): Promise<unknown> } | null = null;
  try {
    const orch = fleet.spawn("orchestrator", "src/orchestrator/main.ts", [
      "--port", "0", "--host", "127.0.0.1", "--db", `${fleet.dir}/orchestrator.sqlite`, "--target", ctx.target.pingUrl, "--allow-target", "127.0.0.1",
    ]);
    const api = await fleet.waitFor("the orchestrator to listen", () => /listening on (http:\/\/\S+)/.exec(fleet.output(orch.log))?.[1]?.replace(/\/$/, "") ?? null, 60_000);
    const t0 = performance.now();
    for (let i = 1; i <= drivers; i++) fleet.spawn(`driver-${i}`, "src/driver/main.ts", ["--node-id", `${prefix}d${i}`]);
    await fleet.waitFor(`${drivers} drivers to register`, async () => {
      const { nodes } = (await (await fetch(`${api}/nodes`)).json()) as { nodes: { status: string }[] };
      return nodes.filter((n) => n.status === "alive").length >= drivers ? true : null;
    }, 60_000 + drivers * 5_000);
    const registered_s = (performance.now() - t0) / 1000;
    const probe = await startReportLatencyProbe([broker], prefix);
    openProbe = probe;
    const rss = sampleRss(orch.proc.pid, 200);
    const cpu0 = cpuSeconds(orch.proc.pid);
    const wall0 = performance.now();
    const states: string[] = [];
    const skews: number[] = [];
    for (let t = 0; t < tests; t++) {
      const created = await fetch(`${api}/tests`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ test_type: "TSUNAMI", test_message_delay: DELAY_MS, message_count_per_driver: PER_DRIVER, target_url: ctx.target.pingUrl, trigger: true }),
      });
      if (!created.ok) throw new Error(`POST /tests: ${created.status} ${await created.text()}`);
      const { test_id } = (await created.json()) as { test_id: string };
      if (t === 0) await probe.follow(api, test_id);
      const done = await fleet.waitFor(`test ${test_id} to end`, async () => {
        const view = (await (await fetch(`${api}/tests/${test_id}`)).json()) as TestJson;
        return view.state === "running" || view.state === "created" ? null : view;
      }, 120_000);
      states.push(done.state);
      const firsts = done.per_driver.map((d) => d.first_send_at).filter((x): x is number => x !== null);
      skews.push(firsts.length > 0 ? Math.max(...firsts) - Math.min(...firsts) : NaN);
      // Whether the spread is one straggler or the whole fleet: first sends relative to the earliest, at p50 / p90 / max.
      const rel = firsts.map((f) => f - Math.min(...firsts)).sort((a, b) => a - b);
      const at = (q: number) => rel[Math.min(rel.length - 1, Math.floor(q * rel.length))] ?? NaN;
      ctx.progress(`  fleet ${drivers}, test ${t + 1}: first sends after the earliest p50 ${at(0.5).toFixed(0)} / p90 ${at(0.9).toFixed(0)} / max ${at(1).toFixed(0)} ms`);
    }
    const cpu_percent = ((cpuSeconds(orch.proc.pid) - cpu0) / ((performance.now() - wall0) / 1000)) * 100;
    const rssSamples = rss.stop();
    openProbe = null;
    const latency = await probe.finish();
    return {
      drivers,
      registered_s,
      states,
      cpu_percent,
      rss_max_mb: Math.max(...rssSamples.map((s) => s.rss_mb)),
      sse: latency.samples,
      toOrchestrator: latency.toOrchestrator,
      matched: `${latency.matched}/${latency.tapped}`,
      skews,
    };
  } finally {
    await openProbe?.finish().catch(() => {});
    await fleet.stop();
  }
}

/**
 * Real driver processes over Kafka, 8, 32 and 64 of them on this machine (light load each):
 * the orchestrator's CPU share and RSS, report → SSE latency over Kafka, start skew.
 */
export const fleetSection: Section = {
  id: "fleet",
  title: "Fleet of real drivers over Kafka",
  async run(ctx: BenchContext): Promise<SectionReport> {
    const broker = benchBroker();
    const title = this.title;
    if (!(await tcpAnswers(broker))) {
      const why = `no Kafka broker at ${broker}: start one with \`bun run kafka:up\` (or set KAFKA_BROKERS) to measure this`;
      ctx.progress(`  fleet skipped: ${why}`);
      return { id: "fleet", title, markdown: `Not measured: ${why}.`, verdicts: [{ target: "fleet over Kafka", figure: "not measured", met: null, why }] };
    }
    const sizes = ctx.fleetSizes ?? [...FLEET_SIZES];
    const tests = ctx.quick ? 1 : 3;
    const rows: (string | number)[][] = [];
    const verdicts: Verdict[] = [];
    for (const drivers of sizes) {
      try {
        const r = await runFleet(ctx, broker, drivers, tests);
        const p50 = quantile(r.sse, 0.5);
        const p99 = quantile(r.sse, 0.99);
        ctx.progress(`  fleet ${drivers}: CPU ${r.cpu_percent.toFixed(1)}%, RSS ${r.rss_max_mb.toFixed(0)} MB, report→SSE p50 ${fmt(p50)} / p99 ${fmt(p99)} ms, skew ${r.skews.map((s) => fmt(s)).join(", ")} ms`);
        rows.push([
          fmt(drivers),
          fmt(r.registered_s, 1),
          r.states.join(", "),
          fmt(r.cpu_percent, 1),
          fmt(r.rss_max_mb),
          `${fmt(p50)} / ${fmt(p99)}`,
          `${fmt(quantile(r.toOrchestrator, 0.5))} / ${fmt(quantile(r.toOrchestrator, 0.99))}`,
          r.matched,
          `${fmt(median(r.skews))} / ${fmt(Math.max(...r.skews))}`,
        ]);
        if (drivers === 64) {
          verdicts.push({
            target: `report → SSE p99 < ${fmt(FLEET_SSE_P99_GOAL_MS)} ms over Kafka with 64 drivers`,
            figure: `p99 ${fmt(p99)} ms (p50 ${fmt(p50)} ms; of which window closed → received by the orchestrator p99 ${fmt(quantile(r.toOrchestrator, 0.99))} ms)`,
            met: p99 < FLEET_SSE_P99_GOAL_MS,
            why: "snapshots go out on the orchestrator's 1 s tick; on 2 shared cores the 64 driver processes compete with the orchestrator and the broker",
          });
          verdicts.push({
            target: `start skew across 64 drivers: median < ${FLEET_SKEW_MEDIAN_GOAL_MS} ms, worst < ${FLEET_SKEW_WORST_GOAL_MS} ms`,
            figure: `median ${fmt(median(r.skews))} ms, worst ${fmt(Math.max(...r.skews))} ms over ${r.skews.length} test(s)`,
            met: median(r.skews) < FLEET_SKEW_MEDIAN_GOAL_MS && Math.max(...r.skews) < FLEET_SKEW_WORST_GOAL_MS,
            why: "",
          });
        }
      } catch (error) {
        rows.push([fmt(drivers), "-", (error as Error).message, "-", "-", "-", "-", "-", "-"]);
        if (drivers === 64) verdicts.push({ target: "fleet of 64 drivers over Kafka", figure: "failed", met: false, why: (error as Error).message });
      }
    }
    const markdown = [
      `Real driver and orchestrator processes (\`src/*/main.ts\`) over the Kafka broker at ${broker}, each fleet on topics of its own; ` +
        `${tests} TSUNAMI test(s) of ${PER_DRIVER} sends ${DELAY_MS} ms apart per driver (light load). CPU = the orchestrator's user + system time ` +
        "over the tests, % of one core; RSS = its largest resident set, sampled every 200 ms. Report → SSE = a report window's end " +
        "(driver clock) → an SSE client of `GET /tests/:id/events` first sees a snapshot whose `last_sequence` covers it (first test); " +
        "window → orchestrator = the same end → the orchestrator received it (`last_report_at`): the driver's publish, the broker and the " +
        "orchestrator's consumer; the rest is the 1 s snapshot tick and SSE. Skew = spread of the drivers' first sends.",
      "",
      markdownTable([">drivers", ">registered s", "states", ">orchestrator CPU %", ">RSS max MB", ">report→SSE p50 / p99 ms", ">window→orchestrator p50 / p99 ms", ">reports seen", ">skew median / worst ms"], rows),
    ].join("\n");
    return { id: "fleet", title, markdown, verdicts };
  },
};
