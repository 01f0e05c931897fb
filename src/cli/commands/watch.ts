import { DEFAULT_TRIGGER_TIMEOUT_S, untilTriggered } from "../await-trigger.ts";
import { usageError, type Command } from "../command.ts";
import { sseTestEvents } from "../follow.ts";
import { followToExit } from "../follow-to-exit.ts";
import { JUNIT_FLAG, JUNIT_HELP } from "../junit-finish.ts";
import { CONNECTION_FLAGS, CONNECTION_HELP, clientFrom } from "../options.ts";
import { parseThresholds } from "../thresholds.ts";

/** `loadtest watch ID`: follows a test to its end (or shows the result of an ended one). */
export const watchCommand: Command = {
  name: "watch",
  summary: "follow a running test live, then print its summary",
  usage: `Usage: loadtest watch <test-id> [--threshold EXPR]... [--json] [--junit FILE] [--trigger-timeout S]

Follows a test over the orchestrator's event stream with a live progress line, then prints
its summary. For a test that has ended, prints the summary at once. For a test that is still
created (not triggered), says so and waits for its trigger, at most --trigger-timeout. Ctrl-C
asks the orchestrator to stop the test (this needs the token when the API has one) and prints
its summary once it has stopped; a second Ctrl-C leaves without waiting. Exit codes as for
'loadtest start': 0 done and passed, 99 a threshold failed or stopped the test, 130 after
Ctrl-C, 1 otherwise.

Flags:
  --trigger-timeout <s>  seconds to wait for a created test's trigger before giving up
                         with exit 1 (default ${DEFAULT_TRIGGER_TIMEOUT_S})
  --threshold <expr>     pass/fail criterion, repeatable (see 'loadtest start --help'); exit 99 if one fails
  --json                 print the result as JSON (no progress line)
${JUNIT_HELP}
  --detach               on Ctrl-C, leave and keep the test running
${CONNECTION_HELP}`,
  flags: { ...CONNECTION_FLAGS, threshold: { type: "string", multiple: true }, json: { type: "boolean" }, ...JUNIT_FLAG, "trigger-timeout": { type: "string" }, detach: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  async run(values, positionals, ctx) {
    const thresholds = parseThresholds((values.threshold as string[] | undefined) ?? []);
    const errors = thresholds.ok ? [] : thresholds.errors;
    if (positionals.length !== 1) errors.push(positionals.length === 0 ? "give the test id (see 'loadtest list')" : `unexpected argument "${positionals[1]}"`);
    const rawTimeout = values["trigger-timeout"] as string | undefined;
    const timeoutS = rawTimeout === undefined ? DEFAULT_TRIGGER_TIMEOUT_S : Number(rawTimeout);
    if (rawTimeout !== undefined && (rawTimeout.trim() === "" || !Number.isFinite(timeoutS) || timeoutS <= 0)) {
      errors.push(`--trigger-timeout must be a positive number of seconds, got "${rawTimeout}"`);
    }
    if (errors.length > 0 || !thresholds.ok) return usageError(ctx, "watch", errors);
    const client = clientFrom(values, ctx.env, ctx.fetch);
    const testId = positionals[0]!;
    const current = await client.getTest(testId);
    const abort = new AbortController();
    let events = sseTestEvents(client, testId, abort.signal);
    if (current.state === "created") {
      ctx.out.stderr(`test ${testId} is created and waiting for a trigger (POST /tests/${testId}/trigger); waiting up to ${timeoutS} s (--trigger-timeout)\n`);
      events = untilTriggered(events, testId, timeoutS * 1000, () => abort.abort());
    }
    return followToExit(ctx, {
      client,
      command: "watch",
      testId,
      events,
      abort,
      thresholds: thresholds.value,
      json: Boolean(values.json),
      detach: Boolean(values.detach),
      junitFile: values.junit as string | undefined,
    });
  },
};
