import { runDriverNode } from "../peers/driver.ts";
import type { BenchContext, Section, SectionReport, Verdict } from "../section.ts";
import { relativeError } from "../summary.ts";
import { fmt, fmtPercent, markdownTable } from "../table.ts";

const DELAYS_MS = [1, 10] as const;

/** TSUNAMI accuracy: the schedule's span against count × delay, through the whole driver. */
export const tsunamiSection: Section = {
  id: "tsunami",
  title: "TSUNAMI schedule accuracy",
  async run(ctx: BenchContext): Promise<SectionReport> {
    const seconds = ctx.quick ? 1 : 5;
    const rows: (string | number)[][] = [];
    const verdicts: Verdict[] = [];
    for (const delay of DELAYS_MS) {
      const count = Math.round((seconds * 1000) / delay);
      const expectedSpan = (count - 1) * delay;
      try {
        const r = await runDriverNode({ url: ctx.target.pingUrl, mode: "TSUNAMI", count, delay_ms: delay }, { timeoutMs: seconds * 4000 + 30_000 });
        const span = (r.last_send_at ?? NaN) - (r.first_send_at ?? NaN);
        const total = (r.finished_at ?? NaN) - (r.started_at ?? NaN);
        const err = relativeError(span, expectedSpan);
        ctx.progress(`  tsunami ${delay} ms × ${count}: span ${span} ms (expected ${expectedSpan}), test ${total} ms`);
        rows.push([
          fmt(delay),
          fmt(count),
          fmt(expectedSpan),
          fmt(span),
          fmtPercent((span - expectedSpan) / expectedSpan),
          `${fmt(total)} vs ${fmt(count * delay)}`,
          `${fmt(r.due_metrics?.median_latency, 2)} / ${fmt(r.due_metrics?.p99_latency, 2)}`,
          fmt(r.counts.late),
        ]);
        verdicts.push({
          target: `TSUNAMI ${delay} ms: duration within 1% of count × delay`,
          figure: `send span ${fmt(span)} ms vs (count − 1) × delay ${fmt(expectedSpan)} ms (${fmtPercent((span - expectedSpan) / expectedSpan)})`,
          met: err <= 0.01,
          why: err <= 0.01 ? "" : "the loop could not keep the schedule on this machine",
        });
      } catch (error) {
        rows.push([fmt(delay), fmt(count), fmt(expectedSpan), "-", "-", "-", "-", (error as Error).message]);
        verdicts.push({ target: `TSUNAMI ${delay} ms within 1%`, figure: "failed", met: false, why: (error as Error).message });
      }
    }
    const markdown = [
      `One driver (createDriver over the MemoryBus), TSUNAMI, about ${seconds} s per delay. Send span = last_send_at − ` +
        "first_send_at from the final report (epoch ms, rounded to 1 ms), against (count − 1) × delay; test = TEST_STARTED → " +
        "TEST_FINISHED against count × delay (includes the last response). Due latency is measured from each send's due time.",
      "",
      markdownTable([">delay ms", ">count", ">expected span ms", ">send span ms", ">error", "test ms vs count×delay", ">due latency p50 / p99 ms", ">late (>5 ms)"], rows),
    ].join("\n");
    return { id: "tsunami", title: this.title, markdown, verdicts };
  },
};
