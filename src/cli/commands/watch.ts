import { usageError, type Command } from "../command.ts";
import { finish, follow, sseTestEvents } from "../follow.ts";
import { CONNECTION_FLAGS, CONNECTION_HELP, clientFrom } from "../options.ts";
import { parseThresholds } from "../thresholds.ts";

/** `loadtest watch ID`: follows a test to its end (or shows the result of an ended one). */
export const watchCommand: Command = {
  name: "watch",
  summary: "follow a running test live, then print its summary",
  usage: `Usage: loadtest watch <test-id> [--threshold EXPR]... [--json]

Follows a test over the orchestrator's event stream with a live progress line, then prints
its summary. For a test that has ended, prints the summary at once.

Flags:
  --threshold <expr>     pass/fail criterion, repeatable (see 'loadtest start --help'); exit 99 if one fails
  --json                 print the result as JSON (no progress line)
${CONNECTION_HELP}`,
  flags: { ...CONNECTION_FLAGS, threshold: { type: "string", multiple: true }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  async run(values, positionals, ctx) {
    const thresholds = parseThresholds((values.threshold as string[] | undefined) ?? []);
    const errors = thresholds.ok ? [] : thresholds.errors;
    if (positionals.length !== 1) errors.push(positionals.length === 0 ? "give the test id (see 'loadtest list')" : `unexpected argument "${positionals[1]}"`);
    if (errors.length > 0 || !thresholds.ok) return usageError(ctx, "watch", errors);
    const client = clientFrom(values, ctx.env, ctx.fetch);
    const testId = positionals[0]!;
    await client.getTest(testId);
    const result = await follow(sseTestEvents(client, testId), ctx.out, Boolean(values.json));
    return finish(result, thresholds.value, ctx.out, Boolean(values.json));
  },
};
