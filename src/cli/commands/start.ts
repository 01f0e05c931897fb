import { usageError, type Command } from "../command.ts";
import { CliError } from "../client.ts";
import { INTERRUPT_EXIT_CODE, sseTestEvents } from "../follow.ts";
import { followToExit } from "../follow-to-exit.ts";
import { CONNECTION_FLAGS, CONNECTION_HELP, TEST_FLAGS, TEST_HELP, clientFrom, issuesAsFlags, testRequestFromFlags, type TestFlags } from "../options.ts";

/** `loadtest start`: creates and triggers a test on the orchestrator's fleet, then follows it. */
export const startCommand: Command = {
  name: "start",
  summary: "start a test on the fleet (Kafka) and follow it",
  usage: `Usage: loadtest start --type avalanche|tsunami --count N [flags]
       loadtest start --scenario test.yaml [flags]

Starts a test on every alive driver of the orchestrator and, by default, waits for it with a
live progress line (requests/s, p50/p99, errors), then prints the summary. Ctrl-C asks the
orchestrator to stop the test and prints its summary once it has stopped; a second Ctrl-C
leaves without waiting (the test still stops). Exit code: 0 when the test ended done and every
threshold passed, 99 when a threshold failed or an --abort-on threshold stopped the test,
130 after Ctrl-C, 1 otherwise.

Flags:
${TEST_HELP}
  --no-wait              print the test id and return at once (follow it with 'loadtest watch')
  --detach               on Ctrl-C, leave and keep the test running (stop it with 'loadtest stop')
${CONNECTION_HELP}

Examples:
  loadtest start --type avalanche --count 10000 --concurrency 64
  loadtest start --type tsunami --count 500 --delay 10 --threshold 'p99<200' --threshold 'errors<1%'
  loadtest start --type avalanche --count 1000000 --abort-on 'errors>5%,p99>2000' --abort-delay-s 5
  loadtest start --type avalanche --target http://10.0.0.20:8080/items --stage 30s:500 --stage 30s:0 \\
    -X POST -H 'authorization: Bearer \${env:API_TOKEN}' -d @item.json --check status=201
  loadtest start --scenario docs/examples/api-scenario.yaml --duration 2m`,
  flags: { ...CONNECTION_FLAGS, ...TEST_FLAGS, "no-wait": { type: "boolean" }, detach: { type: "boolean" } },
  async run(values, positionals, ctx) {
    const request = testRequestFromFlags(values as TestFlags);
    const errors = request.ok ? [] : [...request.errors];
    if (positionals.length > 0) errors.push(`unexpected argument "${positionals[0]}" (start takes flags only; to test a URL without Kafka use 'loadtest run URL')`);
    if (errors.length > 0 || !request.ok) return usageError(ctx, "start", errors);
    const client = clientFrom(values, ctx.env, ctx.fetch);
    // A Ctrl-C while the test is being created stops it as soon as it exists (the user may
    // have started ten million requests by mistake); a second one gives up waiting.
    let early = 0;
    const giveUp = new AbortController();
    const offEarly = ctx.onInterrupt?.(() => void (++early > 1 && giveUp.abort())) ?? (() => {});
    let created;
    try {
      created = await client.createTest(request.body, giveUp.signal);
    } catch (err) {
      if (giveUp.signal.aborted) {
        ctx.out.stderr(`\nloadtest: left before the orchestrator answered; the test may exist: see "loadtest list"\n`);
        return INTERRUPT_EXIT_CODE;
      }
      if (err instanceof CliError && err.issues.length > 0) return usageError(ctx, "start", issuesAsFlags(err.issues, request.sources));
      throw err;
    } finally {
      offEarly();
    }
    if (values["no-wait"] && early === 0) {
      ctx.out.stdout(values.json ? JSON.stringify({ test_id: created.test_id }) + "\n" : `${created.test_id}\n`);
      return 0;
    }
    if (!values.json) ctx.out.stderr(`test ${created.test_id} started on ${created.drivers.length} driver(s): ${created.drivers.join(", ")}\n`);
    const testId = created.test_id;
    const abort = new AbortController();
    return followToExit(ctx, {
      client,
      command: "start",
      testId,
      events: sseTestEvents(client, testId, abort.signal),
      abort,
      thresholds: request.thresholds,
      json: Boolean(values.json),
      detach: Boolean(values.detach),
      pressed: early > 0,
      junitFile: values.junit as string | undefined,
    });
  },
};
