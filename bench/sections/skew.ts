import { benchBroker, BenchFleet, tcpAnswers } from "../fleet.ts";
import type { BenchContext, Section, SectionReport, Verdict } from "../section.ts";
import { median } from "../summary.ts";
import { fmt, markdownTable } from "../table.ts";

const DRIVERS = 4;

interface TestJson {
  state: string;
  start_at: number | null;
  metrics: { start_skew_ms: number | null };
  per_driver: { node_id: string; first_send_at: number | null }[];
}

/** Start skew: one trigger, several driver processes over the real Kafka broker, spread of their first sends. */
export const skewSection: Section = {
  id: "skew",
  title: "Start skew across drivers",
  async run(ctx: BenchContext): Promise<SectionReport> {
    const broker = benchBroker();
    const title = this.title;
    if (!(await tcpAnswers(broker))) {
      const why = `no Kafka broker at ${broker}: start one with \`bun run kafka:up\` (or set KAFKA_BROKERS) to measure this`;
      ctx.progress(`  skew skipped: ${why}`);
      return { id: "skew", title, markdown: `Not measured: ${why}.`, verdicts: [{ target: "start skew across drivers", figure: "not measured", met: null, why }] };
    }
    const prefix = `bench${Date.now().toString(36)}-`;
    const fleet = new BenchFleet({ KAFKA_BROKERS: broker, KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: "warn" });
    const rows: (string | number)[][] = [];
    const skews: number[] = [];
    try {
      const orch = fleet.spawn("orchestrator", "src/orchestrator/main.ts", [
        "--port", "0", "--host", "127.0.0.1", "--db", `${fleet.dir}/orchestrator.sqlite`, "--target", ctx.target.pingUrl, "--allow-target", "127.0.0.1",
      ]);
      const api = await fleet.waitFor("the orchestrator to listen", () => /listening on (http:\/\/\S+)/.exec(fleet.output(orch.log))?.[1]?.replace(/\/$/, "") ?? null, 60_000);
      for (let i = 1; i <= DRIVERS; i++) fleet.spawn(`driver-${i}`, "src/driver/main.ts", ["--node-id", `${prefix}d${i}`]);
      await fleet.waitFor(`${DRIVERS} drivers to register`, async () => {
        const nodes = (await (await fetch(`${api}/nodes`)).json()) as { status: string }[] | { nodes: { status: string }[] };
        const list = Array.isArray(nodes) ? nodes : nodes.nodes;
        return list.filter((n) => n.status === "alive").length >= DRIVERS ? true : null;
      }, 60_000);
      const tests = ctx.quick ? 1 : 3;
      for (let t = 0; t < tests; t++) {
        const created = await fetch(`${api}/tests`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ test_type: "AVALANCHE", message_count_per_driver: 2000, concurrency: 16, target_url: ctx.target.pingUrl, trigger: true }),
        });
        if (!created.ok) throw new Error(`POST /tests: ${created.status} ${await created.text()}`);
        const { test_id } = (await created.json()) as { test_id: string };
        const done = await fleet.waitFor(`test ${test_id} to end`, async () => {
          const view = (await (await fetch(`${api}/tests/${test_id}`)).json()) as TestJson;
          return view.state === "running" || view.state === "created" ? null : view;
        }, 60_000);
        const firsts = done.per_driver.map((d) => d.first_send_at).filter((x): x is number => x !== null);
        const skew = firsts.length > 0 ? Math.max(...firsts) - Math.min(...firsts) : NaN;
        const afterStart = done.start_at === null ? [] : firsts.map((f) => f - done.start_at!);
        skews.push(skew);
        ctx.progress(`  skew test ${t + 1}: ${skew} ms across ${firsts.length} drivers (${done.state})`);
        rows.push([`${t + 1}`, done.state, `${firsts.length}`, fmt(skew), fmt(done.metrics.start_skew_ms), afterStart.length ? `${fmt(Math.min(...afterStart))} … ${fmt(Math.max(...afterStart))}` : "-"]);
      }
    } catch (error) {
      const why = (error as Error).message;
      ctx.progress(`  skew failed: ${why}`);
      return { id: "skew", title, markdown: `Failed: ${why}`, verdicts: [{ target: "start skew across drivers", figure: "failed", met: false, why }] };
    } finally {
      await fleet.stop();
    }
    const worst = Math.max(...skews);
    const markdown = [
      `${DRIVERS} driver processes and the orchestrator (\`src/*/main.ts\`) over the real Kafka broker at ${broker}, ` +
        "one test created and triggered through the REST API each time (the orchestrator sets start_at = trigger + 250 ms). " +
        "Skew = spread of the drivers' first_send_at (epoch ms, 1 ms resolution; the drivers share this machine's clock).",
      "",
      markdownTable([">test", "state", ">drivers", ">skew ms", ">orchestrator start_skew_ms", ">first send − start_at ms"], rows),
    ].join("\n");
    const verdicts: Verdict[] = [
      { target: "start skew across drivers (no target: reported)", figure: `median ${fmt(median(skews))} ms, worst ${fmt(worst)} ms over ${skews.length} test(s)`, met: "info", why: "" },
    ];
    return { id: "skew", title, markdown, verdicts };
  },
};
