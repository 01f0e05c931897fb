// Follows a running test to its end, drawing the progress line, and turns the result into
// output and an exit code. The events come from SSE (`start`, `watch`) or from the in-process
// event hub (`run`): both are the same `FollowEvent`s.
import type { TestView } from "../orchestrator/snapshot.ts";
import { CliError, type OrchestratorClient } from "./client.ts";
import { formatProgress, progressText } from "./progress.ts";
import { formatSummary } from "./summary.ts";
import { evaluateThresholds, THRESHOLD_EXIT_CODE, type Threshold } from "./thresholds.ts";

/** A live view of the test, or its final result. */
export type FollowEvent = { kind: "snapshot" | "final"; test: TestView };

/** Where the CLI writes: stdout for results, stderr for progress and errors. */
export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal: redraw the progress line in place. */
  tty: boolean;
}

/** Exit code after a Ctrl-C (128 + SIGINT, as shells report it); a threshold abort still exits 99. */
export const INTERRUPT_EXIT_CODE = 130;

/** Consecutive failed reconnects before `start`/`watch` give up on the stream. */
const MAX_RECONNECTS = 5;
const RECONNECT_MS = 1_000;

/**
 * A test's events over `GET /tests/:id/events`; a dropped stream is reopened (its first event
 * is the current state, so nothing is lost) until the final event comes or `signal` aborts.
 */
export async function* sseTestEvents(client: OrchestratorClient, testId: string, signal?: AbortSignal): AsyncGenerator<FollowEvent> {
  let failures = 0;
  for (;;) {
    try {
      for await (const event of client.events(`/tests/${encodeURIComponent(testId)}/events`, signal)) {
        if (event.event !== "snapshot" && event.event !== "final") continue;
        failures = 0;
        const { test } = JSON.parse(event.data) as { test: TestView };
        yield { kind: event.event, test };
        if (event.event === "final") return;
      }
    } catch (err) {
      if (signal?.aborted) return;
      if (err instanceof CliError && !err.message.startsWith("cannot reach")) throw err;
    }
    if (signal?.aborted) return;
    if (++failures > MAX_RECONNECTS) throw new CliError(`lost the event stream of test ${testId}; see its result with "loadtest watch ${testId}"`);
    await Bun.sleep(RECONNECT_MS * failures);
  }
}

/** Draws progress for each snapshot (unless `quiet`) and returns the final result. */
export async function follow(events: AsyncIterable<FollowEvent>, out: Output, quiet = false): Promise<TestView> {
  let drawn = false;
  for await (const event of events) {
    if (event.kind === "final") {
      if (drawn && out.tty) out.stderr("\n");
      return event.test;
    }
    if (!quiet && event.test.state === "running") {
      out.stderr(progressText(formatProgress(event.test), out.tty));
      drawn = true;
    }
  }
  throw new CliError("the event stream ended before the test did");
}

/**
 * Prints the result (summary, or JSON with `json`), checks the thresholds and returns the
 * exit code: 99 when an abort_on threshold stopped the test or a threshold failed, 130 when
 * the user stopped it with Ctrl-C (`interrupted`), 1 when it did not end `done`, else 0.
 */
export function finish(test: TestView, thresholds: readonly Threshold[], out: Output, json: boolean, interrupted = false): number {
  const results = evaluateThresholds(thresholds, test);
  const passed = results.every((r) => r.ok);
  if (json) {
    out.stdout(JSON.stringify({ test, thresholds: results.map((r) => ({ threshold: r.threshold.text, actual: r.actual, ok: r.ok })), passed, ...(interrupted ? { interrupted } : {}) }, null, 2) + "\n");
  } else {
    out.stdout(formatSummary(test, results));
  }
  const stop = test.stop;
  if (stop?.by === "threshold") {
    const fired = stop.threshold ? `${stop.threshold.expression} held (${stop.threshold.observed} over the last ${stop.threshold.window_s} s)` : stop.reason;
    out.stderr(`loadtest: test ${test.test_id} aborted: ${fired}\n`);
    return THRESHOLD_EXIT_CODE;
  }
  if (interrupted) {
    out.stderr(`loadtest: test ${test.test_id} ${test.state} on Ctrl-C\n`);
    return INTERRUPT_EXIT_CODE;
  }
  if (!passed) {
    const failed = results.filter((r) => !r.ok).map((r) => r.threshold.text);
    out.stderr(`loadtest: threshold(s) failed: ${failed.join(", ")}\n`);
    return THRESHOLD_EXIT_CODE;
  }
  if (test.state !== "done") {
    out.stderr(`loadtest: test ${test.test_id} ended ${test.state}${test.error ? `: ${test.error}` : ""}\n`);
    return 1;
  }
  return 0;
}
