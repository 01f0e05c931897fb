import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DriverNodeJob } from "../children/driver-node.ts";
import { runChild } from "../child-process.ts";
import type { BenchContext, Section, SectionReport } from "../section.ts";
import { fmt } from "../table.ts";

const CHILD = join(import.meta.dir, "..", "children", "driver-node.ts");
const TOP_ROWS = 15;

/** The first `rows` rows of the "Hot Functions (Self Time)" table of a `--cpu-prof-md` profile. */
export function hotFunctions(markdown: string, rows: number): string[] {
  const start = markdown.indexOf("## Hot Functions");
  if (start === -1) return [];
  const lines = markdown.slice(start).split("\n").filter((l) => l.startsWith("|"));
  return lines.slice(0, 2 + rows);
}

/** Where our driver's time goes at c=64: Bun's sampling profiler on the JavaScript thread, plus user/system CPU. */
export const profileSection: Section = {
  id: "profile",
  title: "Profile of our driver at c=64",
  async run(ctx: BenchContext): Promise<SectionReport> {
    const dir = mkdtempSync(join(tmpdir(), "bench-prof-"));
    const seconds = ctx.quick ? 2 : 5;
    const job: DriverNodeJob = { url: ctx.target.pingUrl, mode: "AVALANCHE", count: 100_000_000, concurrency: 64, stop_after_ms: seconds * 1000 };
    try {
      const child = await runChild(["bun", "--cpu-prof-md", `--cpu-prof-dir=${dir}`, CHILD, JSON.stringify(job)], { timeoutMs: seconds * 1000 + 30_000 });
      const file = readdirSync(dir).find((f) => f.endsWith(".md"));
      const result = JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "{}") as { counts?: { completed: number }; elapsed_ms?: number };
      const completed = result.counts?.completed ?? NaN;
      const table = file === undefined ? ["(no profile written)"] : hotFunctions(readFileSync(join(dir, file), "utf8"), TOP_ROWS);
      ctx.progress(`  profile: ${completed} requests, ${fmt(child.cpu_us / completed, 1)} µs CPU/req`);
      const markdown = [
        `\`bun --cpu-prof-md bench/children/driver-node.ts\`: one driver, AVALANCHE, c=64, ${seconds} s, ${fmt(completed)} requests ` +
          `(${fmt(completed / ((result.elapsed_ms ?? NaN) / 1000))} req/s under the profiler), ${fmt(child.cpu_us / completed, 1)} µs CPU per request ` +
          "(user + system, every thread). Self time of the JavaScript thread's hottest functions; `write` is the socket write " +
          "system call (the kernel's loopback TCP work is charged to it), which is where wrk spends most of its time too.",
        "",
        ...table,
      ].join("\n");
      return { id: "profile", title: this.title, markdown, verdicts: [] };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
