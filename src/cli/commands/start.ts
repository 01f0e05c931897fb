import { usageError, type Command } from "../command.ts";
import { CliError } from "../client.ts";
import { finish, follow, sseTestEvents } from "../follow.ts";
import { CONNECTION_FLAGS, CONNECTION_HELP, TEST_FLAGS, TEST_HELP, clientFrom, issuesAsFlags, testRequestFromFlags, type TestFlags } from "../options.ts";

/** `loadtest start`: creates and triggers a test on the orchestrator's fleet, then follows it. */
export const startCommand: Command = {
  name: "start",
  summary: "start a test on the fleet (Kafka) and follow it",
  usage: `Usage: loadtest start --type avalanche|tsunami --count N [flags]

Starts a test on every alive driver of the orchestrator and, by default, waits for it with a
live progress line (requests/s, p50/p99, errors), then prints the summary. Exit code: 0 when
the test ended done and every threshold passed, 99 when a threshold failed, 1 otherwise.

Flags:
${TEST_HELP}
  --no-wait              print the test id and return at once (follow it with 'loadtest watch')
${CONNECTION_HELP}

Examples:
  loadtest start --type avalanche --count 10000 --concurrency 64
  loadtest start --type tsunami --count 500 --delay 10 --threshold 'p99<200' --threshold 'errors<1%'`,
  flags: { ...CONNECTION_FLAGS, ...TEST_FLAGS, "no-wait": { type: "boolean" } },
  async run(values, positionals, ctx) {
    const request = testRequestFromFlags(values as TestFlags);
    const errors = request.ok ? [] : [...request.errors];
    if (positionals.length > 0) errors.push(`unexpected argument "${positionals[0]}" (start takes flags only; to test a URL without Kafka use 'loadtest run URL')`);
    if (errors.length > 0 || !request.ok) return usageError(ctx, "start", errors);
    const client = clientFrom(values, ctx.env, ctx.fetch);
    let created;
    try {
      created = await client.createTest(request.body);
    } catch (err) {
      if (err instanceof CliError && err.issues.length > 0) return usageError(ctx, "start", issuesAsFlags(err.issues));
      throw err;
    }
    if (values["no-wait"]) {
      ctx.out.stdout(values.json ? JSON.stringify({ test_id: created.test_id }) + "\n" : `${created.test_id}\n`);
      return 0;
    }
    if (!values.json) ctx.out.stderr(`test ${created.test_id} started on ${created.drivers.length} driver(s): ${created.drivers.join(", ")}\n`);
    const result = await follow(sseTestEvents(client, created.test_id), ctx.out, Boolean(values.json));
    return finish(result, request.thresholds, ctx.out, Boolean(values.json));
  },
};
