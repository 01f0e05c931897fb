import { join } from "node:path";
import { runJsonChild } from "../child-process.ts";
import type { BenchContext, Section, SectionReport, Verdict } from "../section.ts";
import { rssSlopeMbPerHour, type SoakResult } from "../soak-stream.ts";
import { fmt, markdownTable } from "../table.ts";

const CHILD = join(import.meta.dir, "..", "children", "soak-load.ts");

/** Issue 14's targets for an hours-long test. */
export const SOAK_TARGETS = { bytes_per_driver_second: 2_048, rss_mb: 300, get_test_ms: 50, report_ms: 1_000, restart_ms: 5_000 } as const;

/**
 * The runs: a compressed hour of 8 drivers at 1,000 req/s, an hour at 10,000 req/s, and a
 * compressed day of 2 drivers at 1,000 req/s (issue 14: "the same for 24 hours of 2 drivers";
 * ~5 minutes of stream on a quiet 2-core box) (--quick: five minutes at 1,000).
 */
export function soakRuns(quick: boolean): { drivers: number; seconds: number; rate: number }[] {
  if (quick) return [{ drivers: 8, seconds: 300, rate: 1_000 }];
  return [{ drivers: 8, seconds: 3_600, rate: 1_000 }, { drivers: 8, seconds: 3_600, rate: 10_000 }, { drivers: 2, seconds: 86_400, rate: 1_000 }];
}

/** Hours-long tests: SQLite growth, RSS, GET /tests/:id and report times, restart, over a compressed soak. */
export const soakSection: Section = {
  id: "soak",
  title: "Soak: a compressed hour of 8 drivers and a day of 2",
  async run(ctx: BenchContext): Promise<SectionReport> {
    const rows: (string | number)[][] = [];
    const verdicts: Verdict[] = [];
    for (const run of soakRuns(ctx.quick)) {
      const label = `${run.drivers} × ${fmt(run.seconds)} s at ${fmt(run.rate)}/s`;
      try {
        const r = await runJsonChild<SoakResult>("soak", ["bun", CHILD, String(run.drivers), String(run.seconds), String(run.rate)], { timeoutMs: run.seconds * 200 + 300_000 });
        const peak = Math.max(...r.rss.map((s) => s.rss_mb));
        const slope = rssSlopeMbPerHour(r.rss);
        const reportMax = Math.max(r.report_json_ms, r.report_csv_ms, r.report_html_ms);
        ctx.progress(`  soak ${label}: ${fmt(r.sqlite_bytes_per_driver_second)} B/driver-s, RSS peak ${fmt(peak)} MB, report ${fmt(reportMax)} ms, restart ${fmt(r.restart_ready_ms)} ms`);
        rows.push([
          label,
          `${r.accepted}/${r.reports}`,
          fmt(r.stream_s, 1),
          fmt(r.sqlite_bytes / 2 ** 20, 1),
          fmt(r.sqlite_bytes_per_driver_second),
          `${fmt(r.rss[0]!.rss_mb)} → ${fmt(r.rss[r.rss.length - 1]!.rss_mb)} (peak ${fmt(peak)})`,
          fmt(slope),
          `${fmt(r.get_test_ms, 1)} / ${fmt(r.get_test_max_ms, 1)}`,
          `${fmt(r.report_json_ms)} (warm ${fmt(r.report_json_warm_ms)}) / ${fmt(r.report_csv_ms)} / ${fmt(r.report_html_ms)}`,
          `${fmt(r.restart_ready_ms)} + ${fmt(r.restart_report_ms)}`,
          r.rss_peak_reads_mb === null ? "-" : `${fmt(r.rss_peak_stream_mb ?? 0)} / ${fmt(r.rss_peak_reads_mb)} / ${fmt(r.rss_peak_restart_mb ?? 0)}`,
        ]);
        verdicts.push(
          { target: `SQLite growth ≤ ${fmt(SOAK_TARGETS.bytes_per_driver_second)} B per driver-second (${label})`, figure: `${fmt(r.sqlite_bytes_per_driver_second)} B`, met: r.sqlite_bytes_per_driver_second <= SOAK_TARGETS.bytes_per_driver_second, why: "file + WAL growth over the run (the WAL is checkpointed every 1 MB and cut back to 1 MB: a short run pays it in full); compact store: snapshots, closed seconds as points, raw reports pruned after --retain-raw-s (300 s)" },
          { target: `orchestrator RSS ≤ ${SOAK_TARGETS.rss_mb} MB, flat (${label})`, figure: `peak ${fmt(peak)} MB, ${fmt(slope)} MB/h over the second half`, met: peak <= SOAK_TARGETS.rss_mb && slope <= 0.1 * SOAK_TARGETS.rss_mb, why: "in the child that also builds the reports" },
          { target: `GET /tests/:id ≤ ${SOAK_TARGETS.get_test_ms} ms at the end (${label})`, figure: `median ${fmt(r.get_test_ms, 1)} ms`, met: r.get_test_ms <= SOAK_TARGETS.get_test_ms, why: "" },
          { target: `JSON/CSV/HTML report ≤ ${fmt(SOAK_TARGETS.report_ms)} ms at the end (${label})`, figure: `slowest ${fmt(reportMax)} ms`, met: reportMax <= SOAK_TARGETS.report_ms, why: "" },
          {
            target: `a restart resumes exactly: completed count and latency figures unchanged (${label})`,
            figure: `${fmt(r.completed_after)} of ${fmt(r.completed_before)} completed, latency ${JSON.stringify(r.latency_after) === JSON.stringify(r.latency_before) ? "equal" : "changed"}`,
            met: r.completed_after === r.completed_before && JSON.stringify(r.latency_after) === JSON.stringify(r.latency_before),
            why: "newest snapshot (exact digest state) plus the raw reports after it",
          },
          { target: `restart ready ≤ ${fmt(SOAK_TARGETS.restart_ms)} ms (${label})`, figure: `${fmt(r.restart_ready_ms)} ms`, met: r.restart_ready_ms <= SOAK_TARGETS.restart_ms, why: "reopen the file, resume the interrupted test from its newest snapshot and the raw reports after it" },
        );
      } catch (error) {
        rows.push([label, "-", "-", "-", "-", "-", "-", "-", "-", (error as Error).message, "-"]);
        verdicts.push({ target: `soak ${label}`, figure: "failed", met: false, why: (error as Error).message });
      }
    }
    const markdown = [
      "Simulated drivers send one report per simulated second, built with the driver's own TestStats, through the real orchestrator core " +
        "(MemoryBus, not Kafka) into a SQLite file, as fast as the orchestrator takes them (time compressed: the orchestrator's clock is simulated, so it snapshots every 30 simulated s and prunes raw reports older than 300 simulated s). SQLite = file + WAL growth. " +
        "RSS of the child process (orchestrator plus report building), first → last sample, and its trend over the second half. " +
        "GET times through the Hono app in-process at the end (median / slowest of 5; report JSON cold, then warm / CSV / HTML: " +
        "a compressed stream outruns the 1 s tick whose live tails compute each second's point in a real run, so the cold read computes them all). Restart = reopen the file " +
        "and start a new orchestrator (the running test becomes interrupted, results kept), then its first report. " +
        "Peak RSS (Linux VmHWM, reset before each step): during the stream, while GET /tests/:id and the four reports were served at the end " +
        "(no collection between them), and over the restart and its first report (the first orchestrator still in the same process).",
      "",
      markdownTable(["run", ">reports accepted", ">stream s", ">SQLite MB", ">B / driver-s", ">RSS MB", ">RSS MB/h", ">GET /tests/:id ms", ">report ms", ">restart + report ms", ">peak RSS MB: stream / reads / restart"], rows),
    ].join("\n");
    return { id: "soak", title: this.title, markdown, verdicts };
  },
};
