// `watch` of a test that is still `created`: its events pass through once it has been
// triggered; until then the wait is bounded by --trigger-timeout.
import { CliError } from "./client.ts";
import type { FollowEvent } from "./follow.ts";

/** How long `watch` waits for a created test's trigger when --trigger-timeout is not given. */
export const DEFAULT_TRIGGER_TIMEOUT_S = 300;

/**
 * Passes `events` through, but throws a CliError naming --trigger-timeout when no event of a
 * triggered test (state other than `created`) has come within `timeoutMs`; `onTimeout` then
 * ends the underlying stream (aborts its request).
 */
export async function* untilTriggered(events: AsyncIterable<FollowEvent>, testId: string, timeoutMs: number, onTimeout: () => void): AsyncGenerator<FollowEvent> {
  const iterator = events[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), Math.max(0, deadline - Date.now()))));
    const next = await Promise.race([iterator.next(), timedOut]).finally(() => clearTimeout(timer));
    if (next === "timeout") {
      onTimeout();
      throw new CliError(
        `test ${testId} was not triggered within ${timeoutMs / 1000} s (--trigger-timeout); trigger it (POST /tests/${testId}/trigger) and watch again`,
      );
    }
    if (next.done) return;
    yield next.value;
    if (next.value.test.state !== "created") break;
  }
  // Triggered: the rest of the stream as it comes.
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    yield next.value;
  }
}
