import { intFlag } from "../../cli-flags.ts";
import { DEFAULT_STOP_GRACE_MS, MAX_STOP_GRACE_MS } from "../../protocol/index.ts";
import { CliError } from "../client.ts";
import { usageError, type Command } from "../command.ts";
import { finish, follow, sseTestEvents } from "../follow.ts";
import { CONNECTION_FLAGS, CONNECTION_HELP, clientFrom } from "../options.ts";

/** `loadtest stop ID`: asks the orchestrator to stop a test (a created one is cancelled). */
export const stopCommand: Command = {
  name: "stop",
  summary: "stop a running test (cancel a created one)",
  usage: `Usage: loadtest stop <test-id> [--grace-ms N] [--reason TEXT] [--wait] [--json]

Asks the orchestrator to stop a test: every driver stops starting requests at once, lets the
requests in flight finish for at most the grace, then aborts them (counted as stopped) and
sends its final report. The test ends 'stopped' with every result up to then. A created,
never triggered test is cancelled. An ended test cannot be stopped (exit 1).

Flags:
  --grace-ms <ms>        how long in-flight requests may finish (0 to ${MAX_STOP_GRACE_MS}, default ${DEFAULT_STOP_GRACE_MS})
  --reason <text>        why, shown in the test's summary (default "stopped by the user")
  --wait                 wait for the test to end and print its summary
  --json                 print the API's answer (or, with --wait, the result) as JSON
${CONNECTION_HELP}

Example:
  loadtest stop 5f1c... --grace-ms 500 --reason "target falling over"`,
  flags: {
    ...CONNECTION_FLAGS,
    "grace-ms": { type: "string" },
    reason: { type: "string" },
    wait: { type: "boolean" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
  async run(values, positionals, ctx) {
    const errors: string[] = [];
    const body: { stop_grace_ms?: number; reason?: string } = {};
    try {
      if (values["grace-ms"] !== undefined) body.stop_grace_ms = intFlag("grace-ms", values["grace-ms"] as string, 0, 0, MAX_STOP_GRACE_MS);
    } catch (err) {
      errors.push((err as Error).message);
    }
    const reason = values.reason as string | undefined;
    if (reason !== undefined) {
      if (reason.trim() === "") errors.push("--reason must not be empty");
      else body.reason = reason;
    }
    if (positionals.length !== 1) errors.push(positionals.length === 0 ? "give the test id (see 'loadtest list')" : `unexpected argument "${positionals[1]}"`);
    if (errors.length > 0) return usageError(ctx, "stop", errors);
    const testId = positionals[0]!;
    const client = clientFrom(values, ctx.env, ctx.fetch);
    const json = Boolean(values.json);
    let view;
    try {
      view = await client.stopTest(testId, body);
    } catch (err) {
      if (err instanceof CliError && err.issues.length > 0) return usageError(ctx, "stop", err.issues.map((i) => `${i.path === "stop_grace_ms" ? "--grace-ms" : i.path}: ${i.message}`));
      throw err;
    }
    if (values.wait) {
      const result = view.ended_at !== null ? view : await follow(sseTestEvents(client, testId), ctx.out, json);
      return finish(result, [], ctx.out, json) === 0 || result.state === "stopped" ? 0 : 1;
    }
    if (json) ctx.out.stdout(JSON.stringify(view, null, 2) + "\n");
    else if (view.ended_at !== null) ctx.out.stdout(`test ${testId} ${view.state}${view.error ? `: ${view.error}` : ""}\n`);
    else ctx.out.stdout(`test ${testId}: stop requested; it ends once its drivers confirm (follow it with "loadtest watch ${testId}")\n`);
    return 0;
  },
};
