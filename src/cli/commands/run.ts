import { intFlag } from "../../cli-flags.ts";
import { availableParallelism } from "node:os";
import { parseWorkers } from "../../driver/worker-split.ts";
import { hubEvents } from "../../local/hub-events.ts";
import { MAX_LOCAL_DRIVERS, startLocalFleet } from "../../local/local-fleet.ts";
import { parseTestRequest } from "../../orchestrator/test-request.ts";
import { usageError, type Command } from "../command.ts";
import { INTERRUPT_EXIT_CODE } from "../follow.ts";
import { finishWithJunit } from "../junit-finish.ts";
import { followInterruptibly } from "../interrupt.ts";
import { TEST_FLAGS, TEST_HELP, issuesAsFlags, testRequestFromFlags, type TestFlags } from "../options.ts";

/** `loadtest run URL`: orchestrator and drivers in this one process over the in-memory bus. */
export const runCommand: Command = {
  name: "run",
  summary: "run a test from this process alone (no Kafka, no fleet)",
  usage: `Usage: loadtest run <url> --type avalanche|tsunami --count N [--drivers N] [flags]
       loadtest run [<url>] --scenario test.yaml [flags]

Runs the orchestrator core and N drivers inside this one process over an in-memory bus:
no Kafka, no orchestrator or driver to start. Same progress line, summary, thresholds and
exit codes as 'loadtest start'. Ctrl-C stops the test (in-flight requests get 2 s) and prints
its summary; a second Ctrl-C leaves at once. Use it to try a target quickly or in CI; use
'start' to load from many machines at once.

Flags:
  --drivers <n>          drivers in this process, 1 to ${MAX_LOCAL_DRIVERS} (default 2)
  --workers <n|auto>     Bun Workers each driver sends on (default 1: its own thread; auto:
                         one per core), merged into one report a second per driver
${TEST_HELP}

Examples:
  loadtest run http://127.0.0.1:8080/ping --type tsunami --count 200 --delay 5 --threshold 'p99<50'
  loadtest run http://127.0.0.1:8080/items --type avalanche --duration 10s -X POST \\
    -H 'content-type: application/json' -d '{"n":\${rand_int:1:100}}' --check status=201
  loadtest run --scenario docs/examples/api-scenario.yaml --drivers 2`,
  flags: { ...TEST_FLAGS, drivers: { type: "string" }, workers: { type: "string" } },
  async run(values, positionals, ctx) {
    const errors: string[] = [];
    let drivers = 2;
    try {
      drivers = intFlag("drivers", values.drivers as string | undefined, 2, 1, MAX_LOCAL_DRIVERS);
    } catch (err) {
      errors.push((err as Error).message);
    }
    const workers = parseWorkers(values.workers as string | undefined, navigator.hardwareConcurrency || availableParallelism());
    if (typeof workers === "string") errors.push(workers);
    const flags = values as TestFlags;
    if (flags.target !== undefined) errors.push("give the URL as the argument, not --target");
    const noUrl = "give the URL to load, e.g. http://127.0.0.1:8080/ping";
    if (positionals.length > 1) errors.push(`unexpected argument "${positionals[1]}"`);
    if (positionals.length === 0 && flags.scenario === undefined) errors.push(noUrl);
    const request = testRequestFromFlags({ ...flags, target: positionals[0] });
    if (!request.ok) errors.push(...request.errors);
    // The URL argument, else the --scenario file's target_url.
    const target = request.ok && typeof request.body.target_url === "string" ? request.body.target_url : undefined;
    if (request.ok && target === undefined) errors.push(`${noUrl}, or target_url in the --scenario file`);
    if (errors.length > 0 || !request.ok || target === undefined) return usageError(ctx, "run", errors);
    const parsed = parseTestRequest(request.body, { defaultTarget: target, allowTargets: ["*"] });
    if (!parsed.ok) return usageError(ctx, "run", issuesAsFlags(parsed.issues, request.sources));

    const json = Boolean(values.json);
    const fleet = await startLocalFleet({ drivers, ...(typeof workers === "number" && workers > 1 ? { workers } : {}) });
    const events = hubEvents(fleet.orchestrator);
    try {
      const created = await fleet.orchestrator.createTest(parsed.value);
      events.setTestId(created.test_id);
      if (!json) ctx.out.stderr(`test ${created.test_id} running in-process on ${drivers} driver(s)\n`);
      const testId = created.test_id;
      const outcome = await followInterruptibly(events, {
        testId,
        out: ctx.out,
        quiet: json,
        requestStop: () => fleet.orchestrator.stopTest(testId, { reason: "Ctrl-C in loadtest run" }),
        detach: false,
        onInterrupt: ctx.onInterrupt,
      });
      if (outcome.kind === "left") return INTERRUPT_EXIT_CODE;
      return finishWithJunit(outcome.test, request.thresholds, ctx.out, json, outcome.interrupted, values.junit as string | undefined);
    } finally {
      events.close();
      await fleet.close();
    }
  },
};
