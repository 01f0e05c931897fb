// Diagnostic (issue 14 storage): one compressed soak, then what each table of the SQLite file
// holds (bytes by dbstat, rows) and the WAL's size, to see what a driver-second costs.
// argv: drivers seconds requests_per_second
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSoak } from "../soak-stream.ts";

const [drivers, seconds, rate] = [2, 3, 4].map((i) => Number(Bun.argv[i]));
const dir = mkdtempSync(join(tmpdir(), "bench-soak-tables-"));
try {
  const result = await runSoak({ dir, drivers: drivers!, seconds: seconds!, requestsPerSecond: rate!, progress: (line) => process.stderr.write(`${line}\n`) });
  const file = join(dir, "orchestrator.sqlite");
  const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
  console.log(JSON.stringify({ bytes_per_driver_s: result.sqlite_bytes_per_driver_second, file: size(file), wal: size(`${file}-wal`) }));
  const db = new Database(file);
  try {
    const rows = db.query<{ name: string; bytes: number; pages: number }, []>("SELECT name, sum(pgsize) AS bytes, count(*) AS pages FROM dbstat GROUP BY name ORDER BY bytes DESC").all();
    console.log(JSON.stringify(rows));
  } catch (err) {
    console.log(`dbstat unavailable: ${(err as Error).message}`);
  }
  for (const table of ["reports", "report_keys", "series_points", "test_snapshots"]) {
    const r = db.query<{ n: number; bytes: number }, []>(`SELECT count(*) AS n, sum(length(${table === "reports" ? "raw_z" : table === "series_points" ? "point" : table === "test_snapshots" ? "state" : "report_id"})) AS bytes FROM ${table}`).get();
    console.log(table, JSON.stringify(r));
  }
  console.log("freelist pages", db.query("PRAGMA freelist_count").get(), "page_size", db.query("PRAGMA page_size").get());
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
