// Diagnostic (issue 14 memory): one compressed soak, with a full GC and the heap's figures at each sample.
// argv: drivers seconds requests_per_second
import { heapStats } from "bun:jsc";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSoak } from "../soak-stream.ts";

const [drivers, seconds, rate] = [2, 3, 4].map((i) => Number(Bun.argv[i]));
const dir = mkdtempSync(join(tmpdir(), "bench-soak-heap-"));
let prev: Record<string, number> = {};
const mb = (n: number) => (n / 2 ** 20).toFixed(0);
try {
  await runSoak({
    dir, drivers: drivers!, seconds: seconds!, requestsPerSecond: rate!,
    progress: (line) => {
      if (!line.includes("s sent")) return;
      Bun.gc(true);
      const m = process.memoryUsage();
      const h = heapStats();
      const grown = Object.entries(h.objectTypeCounts).map(([k, v]) => [k, v - (prev[k] ?? 0)] as const).sort((a, b) => b[1] - a[1]).slice(0, 6);
      prev = { ...h.objectTypeCounts };
      console.log(`${line.trim()} | after gc: rss ${mb(m.rss)} heap ${mb(h.heapSize)} extra ${mb(h.extraMemorySize)} objects ${h.objectCount} | grown ${grown.map(([k, v]) => `${k}+${v}`).join(" ")}`);
    },
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
