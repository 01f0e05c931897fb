import { writeFileSync } from "node:fs";
import { usageError, type Command } from "../command.ts";
import { CONNECTION_FLAGS, CONNECTION_HELP, clientFrom } from "../options.ts";

const FORMATS = ["json", "csv", "html"] as const;

/** `loadtest report ID`: a test's full result as JSON, CSV or a self-contained HTML page. */
export const reportCommand: Command = {
  name: "report",
  summary: "a test's full report as json, csv or html",
  usage: `Usage: loadtest report <test-id> [--format json|csv|html] [--out FILE]

Fetches a test's report with its per-second series. The HTML report is one self-contained
file (inline CSS and SVG charts): open it from disk or attach it anywhere.

Flags:
  --format <f>           json (default), csv (a row per second and driver, then the totals) or html
  --out <file>           write to a file instead of stdout
${CONNECTION_HELP}

Example:
  loadtest report 5f1c... --format html --out report.html`,
  flags: { ...CONNECTION_FLAGS, format: { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h" } },
  async run(values, positionals, ctx) {
    const errors: string[] = [];
    const format = ((values.format as string | undefined) ?? "json").toLowerCase();
    if (!(FORMATS as readonly string[]).includes(format)) errors.push(`--format must be json, csv or html, got "${values.format}"`);
    if (positionals.length !== 1) errors.push(positionals.length === 0 ? "give the test id (see 'loadtest list')" : `unexpected argument "${positionals[1]}"`);
    if (errors.length > 0) return usageError(ctx, "report", errors);
    const text = await clientFrom(values, ctx.env, ctx.fetch).report(positionals[0]!, format as (typeof FORMATS)[number]);
    const out = values.out as string | undefined;
    if (out) {
      writeFileSync(out, text);
      ctx.out.stderr(`wrote ${out} (${text.length} bytes)\n`);
    } else {
      ctx.out.stdout(text);
    }
    return 0;
  },
};
