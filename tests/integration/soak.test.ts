import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSoak } from "../../bench/soak-stream.ts";

// A long run of in-process work: Bun applies the preload's timeout to the first file only.
setDefaultTimeout(300_000);

const dir = mkdtempSync(join(tmpdir(), "soak-it-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Bounds for a shared, loaded 2-core machine, far above what an idle box measures (see the
// `soak` section of bench/RESULTS.md for the tight figures). SQLite growth is held to issue 14's
// target (2 KB per driver-second; measured ~0.8 KB at this rate with reports stored deflated).
const BOUNDS = {
  get_test_ms: 250,
  report_ms: 20_000,
  restart_ready_ms: 20_000,
  sqlite_bytes_per_driver_second: 2_048,
  rss_mb: 600,
};

test("a compressed hour of 8 drivers (3,600 reports each, driver's own TestStats) through the orchestrator and a real SQLite file: every report counted, served, resumed after a restart from the compact store", async () => {
  const r = await runSoak({ dir, drivers: 8, seconds: 3_600, requestsPerSecond: 20 });
  // Counts are exact: every report accepted, every request counted, before and after the restart.
  expect(r.accepted).toBe(8 * 3_600);
  expect(r.completed_before).toBe(8 * 3_600 * 20);
  expect(r.restart_state).toBe("interrupted");
  expect(r.completed_after).toBe(r.completed_before);
  // Resumed from the newest snapshot plus the later raw reports: the same percentiles, whole test and per driver.
  expect(r.latency_after).toEqual(r.latency_before);
  // The compact store pruned the raw reports a snapshot covers beyond --retain-raw-s (300 s): at
  // most 300 s plus one snapshot interval (30 s) of each driver's reports are left.
  expect(r.raw_reports_kept).toBeGreaterThan(0);
  expect(r.raw_reports_kept).toBeLessThanOrEqual(8 * (300 + 30));
  // Loose bounds (see BOUNDS): GET /tests/:id stays cheap, the reports and the restart stay bounded.
  expect(r.get_test_ms).toBeLessThan(BOUNDS.get_test_ms);
  for (const ms of [r.report_json_ms, r.report_csv_ms, r.report_html_ms, r.restart_report_ms]) expect(ms).toBeLessThan(BOUNDS.report_ms);
  expect(r.restart_ready_ms).toBeLessThan(BOUNDS.restart_ready_ms);
  expect(r.sqlite_bytes).toBeGreaterThan(0);
  expect(r.sqlite_bytes_per_driver_second).toBeLessThan(BOUNDS.sqlite_bytes_per_driver_second);
  expect(Math.max(...r.rss.map((s) => s.rss_mb))).toBeLessThan(BOUNDS.rss_mb);
});
