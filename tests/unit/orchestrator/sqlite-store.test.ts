import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LiveTest } from "../../../src/orchestrator/live-test.ts";
import { openSqliteStore } from "../../../src/orchestrator/sqlite-store.ts";
import type { MetricsReport } from "../../../src/protocol/index.ts";
import { FakeDriverReports, runningRecord, spread, T0 } from "./fixtures.ts";
import { rng } from "../../helpers/rng.ts";

const dir = mkdtempSync(join(tmpdir(), "sqlite-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const nodes = { get: () => undefined };


describe("SQLite store: reports kept deflated", () => {
  for (const seed of [1, 2, 3, 4]) {
    test(`a restart rebuilds exactly the live figures and per-second series from the stored reports (random order, replays, finals; seed ${seed})`, () => {
      const r = rng(seed);
      const ids = ["d1", "d2", "d3"];
      const drivers = ids.map((id) => new FakeDriverReports(id, "t1"));
      const reports: MetricsReport[] = [];
      for (let s = 0; s < 25; s++) {
        for (const d of drivers) reports.push(d.window(spread(200 + Math.floor(r() * 2_000), 1 + r() * 3, 5 + r() * 400), { errors: Math.floor(r() * 3), final: s === 24 }));
      }
      // Delivered out of order, some twice (a replay after a reconnect).
      const stream = [...reports, ...reports.filter(() => r() < 0.2)].map((x, i) => [i + (r() < 0.3 ? r() * 40 : 0), x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
      const file = join(dir, `restore-${seed}.sqlite`);
      const store = openSqliteStore(file);
      const live = new LiveTest(runningRecord(ids), T0);
      let now = T0;
      let replays = 0;
      for (const report of stream) {
        now += 137;
        // What the orchestrator does: the store refuses a replay before the report is applied.
        if (!store.saveReport(report, now)) {
          replays++;
          continue;
        }
        expect(live.applyReport(report, now)).toBe("accepted");
      }
      store.close();
      expect(replays).toBe(stream.length - reports.length);
      const reopened = openSqliteStore(file);
      const stored = reopened.reports("t1");
      expect(stored.length).toBe(reports.length);
      expect(reopened.saveReport(reports[0]!, now)).toBe(false);
      const restored = LiveTest.restore(runningRecord(ids), stored, T0);
      reopened.close();
      expect(restored.series()).toEqual(live.series());
      expect(restored.view(nodes, now, {})).toEqual(live.view(nodes, now, {}));
    });
  }

  test("a report reads back exactly as saved, in about a third of its JSON", () => {
    const file = join(dir, "size.sqlite");
    const store = openSqliteStore(file);
    const d1 = new FakeDriverReports("d1", "t1");
    const report = d1.window(spread(1_000, 1, 30));
    expect(store.saveReport(report, T0)).toBe(true);
    expect(store.reports("t1")).toEqual([{ report, received_at: T0 }]);
    store.close();
    const db = new Database(file);
    const row = db.query<{ raw: string; raw_z: Uint8Array }, []>("SELECT raw, raw_z FROM reports").get()!;
    db.close();
    expect(row.raw).toBe("");
    expect(row.raw_z.byteLength).toBeLessThan(JSON.stringify(report).length / 2);
  });

  test("a file written before reports were deflated opens, reads its old rows and adds new ones deflated", () => {
    const file = join(dir, "old.sqlite");
    const d1 = new FakeDriverReports("d1", "t1");
    const old = d1.window(spread(10, 1, 2));
    const db = new Database(file, { create: true });
    db.exec("CREATE TABLE reports (report_id TEXT PRIMARY KEY, test_id TEXT NOT NULL, node_id TEXT NOT NULL, received_at INTEGER NOT NULL, raw TEXT NOT NULL)");
    db.query("INSERT INTO reports VALUES (?, ?, ?, ?, ?)").run(old.report_id, "t1", "d1", T0, JSON.stringify(old));
    db.close();
    const store = openSqliteStore(file);
    const next = d1.window(spread(10, 1, 2));
    expect(store.saveReport(next, T0 + 1000)).toBe(true);
    expect(store.reports("t1")).toEqual([
      { report: old, received_at: T0 },
      { report: next, received_at: T0 + 1000 },
    ]);
    store.close();
  });
});
