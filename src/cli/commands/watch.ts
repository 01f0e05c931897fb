import { usageError, type Command } from "../command.ts";
import { finish, INTERRUPT_EXIT_CODE, sseTestEvents } from "../follow.ts";
import { followInterruptibly } from "../interrupt.ts";
import { CONNECTION_FLAGS, CONNECTION_HELP, clientFrom } from "../options.ts";
import { parseThresholds } from "../thresholds.ts";

/** `loadtest watch ID`: follows a test to its end (or shows the result of an ended one). */
export const watchCommand: Command = {
  name: "watch",
  summary: "follow a running test live, then print its summary",
  usage: `Usage: loadtest watch <test-id> [--threshold EXPR]... [--json]

Follows a test over the orchestrator's event stream with a live progress line, then prints
its summary. For a test that has ended, prints the summary at once. Ctrl-C asks the
orchestrator to stop the test (this needs the token when the API has one) and prints its
summary once it has stopped; a second Ctrl-C leaves without waiting. Exit codes as for
'loadtest start': 0 done and passed, 99 a threshold failed or stopped the test, 130 after
Ctrl-C, 1 otherwise.

Flags:
  --threshold <expr>     pass/fail criterion, repeatable (see 'loadtest start --help'); exit 99 if one fails
  --json                 print the result as JSON (no progress line)
  --detach               on Ctrl-C, leave and keep the test running
${CONNECTION_HELP}`,
  flags: { ...CONNECTION_FLAGS, threshold: { type: "string", multiple: true }, json: { type: "boolean" }, detach: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  async run(values, positionals, ctx) {
    const thresholds = parseThresholds((values.threshold as string[] | undefined) ?? []);
    const errors = thresholds.ok ? [] : thresholds.errors;
    if (positionals.length !== 1) errors.push(positionals.length === 0 ? "give the test id (see 'loadtest list')" : `unexpected argument "${positionals[1]}"`);
    if (errors.length > 0 || !thresholds.ok) return usageError(ctx, "watch", errors);
    const client = clientFrom(values, ctx.env, ctx.fetch);
    const testId = positionals[0]!;
    await client.getTest(testId);
    const abort = new AbortController();
    const outcome = await followInterruptibly(sseTestEvents(client, testId, abort.signal), {
      testId,
      out: ctx.out,
      quiet: Boolean(values.json),
      requestStop: () => client.stopTest(testId, { reason: "Ctrl-C in loadtest watch" }),
      detach: Boolean(values.detach),
      onInterrupt: ctx.onInterrupt,
      abort,
      rejoin: `loadtest watch ${testId}`,
    });
    if (outcome.kind === "left") return INTERRUPT_EXIT_CODE;
    return finish(outcome.test, thresholds.value, ctx.out, Boolean(values.json), outcome.interrupted);
  },
};
