import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryBroker, MemoryBus } from "../../src/bus/index.ts";
import { silentLogger } from "../../src/log.ts";
import { systemClock } from "../../src/orchestrator/clock.ts";
import { createApp } from "../../src/orchestrator/http/app.ts";
import type { TestSeries } from "../../src/orchestrator/series.ts";
import { createOrchestrator } from "../../src/orchestrator/orchestrator.ts";
import type { TestView } from "../../src/orchestrator/snapshot.ts";
import { openSqliteStore } from "../../src/orchestrator/sqlite-store.ts";
import { runTest, startHarness } from "./local-harness.ts";

const dir = mkdtempSync(join(tmpdir(), "report-it-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("GET /tests/:id/report", () => {
  test("has the per-second series in json, csv and html, and still has it after a restart on the same SQLite file", async () => {
    const db = join(dir, "orchestrator.sqlite");
    const store = openSqliteStore(db);
    const h = await startHarness({ drivers: 2, store });
    let json: { test: TestView; series: TestSeries };
    let csv: string;
    try {
      const done = await runTest(h, { test_type: "TSUNAMI", message_count_per_driver: 200, test_message_delay: 10 });
      const response = await h.app.request(`/tests/${done.test_id}/report?format=json`);
      json = (await response.json()) as { test: TestView; series: TestSeries };
      expect(json.test).toEqual(done);
      expect(json.series.points.length).toBeGreaterThanOrEqual(2);
      // Every request is in exactly one second of exactly one driver.
      const perDriver: Record<string, number> = {};
      for (const p of json.series.points) for (const [id, s] of Object.entries(p.drivers)) perDriver[id] = (perDriver[id] ?? 0) + s.sent;
      expect(perDriver).toEqual({ "local-1": 200, "local-2": 200 });

      const csvResponse = await h.app.request(`/tests/${done.test_id}/report?format=csv&download=1`);
      csv = await csvResponse.text();
      expect({ type: csvResponse.headers.get("content-type"), disposition: csvResponse.headers.get("content-disposition") }).toEqual({
        type: "text/csv; charset=utf-8",
        disposition: `attachment; filename="loadtest-${done.test_id}.csv"`,
      });
      const total = csv.split("\r\n").find((line) => line.startsWith(`${done.test_id},all,total,`))!.split(",");
      expect({ sent: total[4], completed: total[5], errors: total[6] }).toEqual({ sent: "400", completed: "400", errors: "0" });

      const html = await (await h.app.request(`/tests/${done.test_id}/report?format=html`)).text();
      // Requests per second, latency per second, latency by percentile.
      expect(html.match(/<svg /g)!.length).toBe(3);
      expect(html).toContain(done.test_id);
      // Self-contained: no script, stylesheet link or remote resource.
      expect(html).not.toMatch(/<script|<link |src="http|href="http/);
    } finally {
      await h.close();
      store.close();
    }

    const reopened = openSqliteStore(db);
    const bus = new MemoryBus(new MemoryBroker());
    const orchestrator = createOrchestrator({ bus, store: reopened, clock: systemClock, log: silentLogger });
    await orchestrator.start();
    try {
      const app = createApp(orchestrator, { defaultTarget: "http://127.0.0.1:1/ping", allowTargets: ["127.0.0.1"] });
      const after = (await (await app.request(`/tests/${json.test.test_id}/report?format=json`)).json()) as { series: TestSeries };
      expect(after.series).toEqual(json.series);
      expect(await (await app.request(`/tests/${json.test.test_id}/report?format=csv`)).text()).toBe(csv);
    } finally {
      orchestrator.stop();
      await bus.close();
      reopened.close();
    }
  });

  test("an unknown format is 422 and an unknown test 404", async () => {
    const h = await startHarness({ drivers: 1 });
    try {
      const bad = await h.app.request("/tests/x/report?format=pdf");
      const missing = await h.app.request("/tests/nope/report");
      expect([bad.status, missing.status, ((await missing.json()) as { error: string }).error]).toEqual([422, 404, 'no test "nope"']);
    } finally {
      await h.close();
    }
  });
});
