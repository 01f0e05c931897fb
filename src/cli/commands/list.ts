import { formatCount, formatDuration, formatMs, formatTimestamp } from "../../format/format.ts";
import { intFlag } from "../../cli-flags.ts";
import { usageError, type Command } from "../command.ts";
import { CONNECTION_FLAGS, CONNECTION_HELP, clientFrom } from "../options.ts";
import { textTable } from "../summary.ts";

/** `loadtest list`: past and running tests, newest first. */
export const listCommand: Command = {
  name: "list",
  summary: "list tests, newest first",
  usage: `Usage: loadtest list [--limit N] [--json] [--orchestrator URL]

Lists tests newest first with their state, counts and latency.

Flags:
  --limit <n>            how many (1 to 100, default 20)
  --json                 print GET /tests as JSON
${CONNECTION_HELP}`,
  flags: { ...CONNECTION_FLAGS, limit: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  async run(values, positionals, ctx) {
    let limit: number;
    try {
      limit = intFlag("limit", values.limit as string | undefined, 20, 1, 100);
    } catch (err) {
      return usageError(ctx, "list", [(err as Error).message]);
    }
    if (positionals.length > 0) return usageError(ctx, "list", [`unexpected argument "${positionals[0]}"`]);
    const page = await clientFrom(values, ctx.env, ctx.fetch).listTests(limit);
    if (values.json) {
      ctx.out.stdout(JSON.stringify(page, null, 2) + "\n");
      return 0;
    }
    if (page.tests.length === 0) {
      ctx.out.stdout('no tests yet: start one with "loadtest start --type avalanche --count 1000"\n');
      return 0;
    }
    const rows = page.tests.map((t) => [
      t.test_id,
      formatTimestamp(t.created_at),
      t.test_type,
      t.state,
      String(t.drivers.length),
      formatCount(t.counts.sent),
      formatCount(t.counts.completed),
      formatMs(t.latency?.median_latency),
      formatMs(t.latency?.p99_latency),
      formatDuration(t.duration_ms),
    ]);
    ctx.out.stdout(textTable([["test", "created", "type", "state", "drivers", "sent", "completed", "p50", "p99", "duration"], ...rows]).join("\n") + "\n");
    if (page.total > page.tests.length) ctx.out.stdout(`${page.tests.length} of ${page.total} (use --limit)\n`);
    return 0;
  },
};
