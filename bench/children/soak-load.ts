// Bench child: one compressed soak (bench/soak-stream.ts) in its own process, so its RSS is the
// orchestrator's (plus the simulated drivers' report building). Prints one JSON line (SoakResult).
// argv: drivers seconds requests_per_second [retain_raw_s: a number or "all"; default the orchestrator's 300]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSoak } from "../soak-stream.ts";

const [drivers, seconds, rate] = [2, 3, 4].map((i) => Number(Bun.argv[i]));
const retain = Bun.argv[5];
const orchestrator = retain === undefined ? {} : { retainRawMs: retain === "all" ? Infinity : Number(retain) * 1000 };
const dir = mkdtempSync(join(tmpdir(), "bench-soak-"));
try {
  const result = await runSoak({ dir, drivers: drivers!, seconds: seconds!, requestsPerSecond: rate!, orchestrator, progress: (line) => process.stderr.write(`${line}\n`) });
  console.log(JSON.stringify(result));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
