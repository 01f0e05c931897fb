import { benchBroker, BenchFleet, tcpAnswers } from "../fleet.ts";
import type { BenchContext, Section, SectionReport, Verdict } from "../section.ts";
import { median } from "../summary.ts";
import { fmt, markdownTable } from "../table.ts";

/** Each driver's clock shift (faketime syntax) and the offset it should measure (orchestrator minus driver, ms). */
const DRIVERS = [
  { id: "behind", faketime: "-1.5s", truth: 1_500 },
  { id: "ahead", faketime: "+1.5s", truth: -1_500 },
  { id: "true", faketime: null, truth: 0 },
] as const;

interface TestJson {
  state: string;
  start_at: number | null;
  metrics: { start_skew_ms: number | null };
  per_driver: { node_id: string; first_send_at: number | null }[];
}

interface NodeJson {
  node_id: string;
  status: string;
  clock?: { offset_ms: number | null; uncertainty_ms: number | null };
}

/** The LD_PRELOAD the `faketime` command uses, or null when it is not installed. */
function faketimePreload(): string | null {
  try {
    const probe = Bun.spawnSync(["faketime", "-f", "+0s", "sh", "-c", 'printf %s "$LD_PRELOAD"']);
    return probe.exitCode === 0 ? probe.stdout.toString() : null;
  } catch {
    return null;
  }
}

/**
 * Start skew with deliberately skewed driver clocks: three drivers at −1.5 s, +1.5 s and the true
 * clock (libfaketime preloaded, as tests/e2e/clock-skew.test.ts does), TSUNAMI tests at low scale,
 * once with clock correction (the default) and once with `--no-clock-correction` on every driver.
 * Skew is the orchestrator's `start_skew_ms`, on its own timeline (the drivers' offsets applied).
 */
export const clockSkewSection: Section = {
  id: "clock-skew",
  title: "Start skew with skewed driver clocks",
  async run(ctx: BenchContext): Promise<SectionReport> {
    const title = this.title;
    const broker = benchBroker();
    const preload = faketimePreload();
    const why = !(await tcpAnswers(broker)) ? `no Kafka broker at ${broker}` : preload === null ? "faketime is not installed (apt-get install faketime)" : null;
    if (why !== null) {
      ctx.progress(`  clock-skew skipped: ${why}`);
      return { id: "clock-skew", title, markdown: `Not measured: ${why}.`, verdicts: [{ target: "start skew with skewed clocks", figure: "not measured", met: null, why }] };
    }
    const rows: (string | number)[][] = [];
    const offsets: (string | number)[][] = [];
    const skews: Record<string, number[]> = { corrected: [], uncorrected: [] };
    const tests = ctx.quick ? 1 : 3;
    for (const mode of ["corrected", "uncorrected"] as const) {
      const prefix = `bench${Date.now().toString(36)}-`;
      const fleet = new BenchFleet({ KAFKA_BROKERS: broker, KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: "warn" });
      try {
        const orch = fleet.spawn("orchestrator", "src/orchestrator/main.ts", [
          "--port", "0", "--host", "127.0.0.1", "--db", `${fleet.dir}/orchestrator.sqlite`, "--target", ctx.target.pingUrl, "--allow-target", "127.0.0.1",
        ]);
        const api = await fleet.waitFor("the orchestrator to listen", () => /listening on (http:\/\/\S+)/.exec(fleet.output(orch.log))?.[1]?.replace(/\/$/, "") ?? null, 60_000);
        for (const d of DRIVERS) {
          const args = ["--node-id", `${prefix}${d.id}`, ...(mode === "uncorrected" ? ["--no-clock-correction"] : [])];
          fleet.spawn(`driver-${d.id}`, "src/driver/main.ts", args, d.faketime ? { LD_PRELOAD: preload!, FAKETIME: d.faketime } : {});
        }
        const nodes = await fleet.waitFor("every driver's clock offset (uncertainty ≤ 10 ms)", async () => {
          const list = ((await (await fetch(`${api}/nodes`)).json()) as { nodes: NodeJson[] }).nodes;
          const mine = DRIVERS.map((d) => list.find((n) => n.node_id === `${prefix}${d.id}` && n.status === "alive"));
          return mine.every((n) => n?.clock?.offset_ms != null && n.clock.uncertainty_ms! <= 10) ? (mine as NodeJson[]) : null;
        }, 90_000);
        if (mode === "corrected") {
          for (const [i, d] of DRIVERS.entries()) {
            const c = nodes[i]!.clock!;
            offsets.push([d.id, d.faketime ?? "none", fmt(d.truth), fmt(c.offset_ms!, 1), fmt(c.uncertainty_ms!, 1), fmt(c.offset_ms! - d.truth, 1)]);
          }
        }
        for (let t = 0; t < tests; t++) {
          const created = await fetch(`${api}/tests`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ test_type: "TSUNAMI", message_count_per_driver: 20, test_message_delay: 10, target_url: ctx.target.pingUrl, trigger: true }),
          });
          if (!created.ok) throw new Error(`POST /tests: ${created.status} ${await created.text()}`);
          const { test_id } = (await created.json()) as { test_id: string };
          const done = await fleet.waitFor(`test ${test_id} to end`, async () => {
            const view = (await (await fetch(`${api}/tests/${test_id}`)).json()) as TestJson;
            return view.state === "running" || view.state === "created" ? null : view;
          }, 60_000);
          const after = DRIVERS.map((d) => {
            const first = done.per_driver.find((p) => p.node_id === `${prefix}${d.id}`)?.first_send_at ?? null;
            return first === null || done.start_at === null ? "-" : fmt(first - done.start_at);
          });
          const skew = done.metrics.start_skew_ms ?? NaN;
          skews[mode]!.push(skew);
          ctx.progress(`  clock-skew ${mode} test ${t + 1}: start_skew_ms ${skew} (${done.state})`);
          rows.push([mode, `${t + 1}`, done.state, fmt(skew), ...after]);
        }
      } catch (error) {
        const message = (error as Error).message;
        ctx.progress(`  clock-skew failed: ${message}`);
        return { id: "clock-skew", title, markdown: `Failed: ${message}`, verdicts: [{ target: "start skew with skewed clocks", figure: "failed", met: false, why: message }] };
      } finally {
        await fleet.stop();
      }
    }
    const markdown = [
      "Three driver processes and the orchestrator over the real Kafka broker at " +
        `${broker}, the drivers' clocks shifted with libfaketime: −1.5 s, +1.5 s and none. Offsets measured over the bus (NTP-style, see docs/fleet.md):`,
      "",
      markdownTable(["driver", "faketime", ">true offset ms", ">measured ms", ">± ms", ">error ms"], offsets),
      "",
      "TSUNAMI, 20 requests per driver 10 ms apart, triggered through the REST API (start_at = trigger + 250 ms). " +
        "start_skew_ms and first send − start_at are on the orchestrator's timeline (each driver's first send plus its measured offset), " +
        "first with clock correction (the default), then with `--no-clock-correction` on every driver.",
      "",
      markdownTable(["mode", ">test", "state", ">start_skew_ms", ...DRIVERS.map((d) => `>${d.id}: first send − start_at ms`)], rows),
    ].join("\n");
    const verdicts: Verdict[] = [
      { target: "start skew, drivers ±1.5 s apart, corrected", figure: `median ${fmt(median(skews.corrected!))} ms, worst ${fmt(Math.max(...skews.corrected!))} ms`, met: "info", why: "" },
      { target: "start skew, drivers ±1.5 s apart, uncorrected", figure: `median ${fmt(median(skews.uncorrected!))} ms`, met: "info", why: "" },
    ];
    return { id: "clock-skew", title, markdown, verdicts };
  },
};
