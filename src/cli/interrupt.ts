// Ctrl-C while `loadtest start|watch|run` follows a test: the first asks for the stop and keeps
// following to the summary; the second (or the first, with --detach) leaves without waiting.
import { OrchestratorError } from "../orchestrator/errors.ts";
import type { TestView } from "../orchestrator/snapshot.ts";
import { CliError } from "./client.ts";
import { follow, type FollowEvent, type Output } from "./follow.ts";

/** Calls `handler` on each Ctrl-C until the returned function is called. */
export type OnInterrupt = (handler: () => void) => () => void;

/** Ctrl-C as the process sees it: SIGINT, handled (not fatal) while a listener is installed. */
export const processInterrupts: OnInterrupt = (handler) => {
  process.on("SIGINT", handler);
  return () => void process.off("SIGINT", handler);
};

/** How the follow ended: with the test's final result, or by leaving first. */
export type FollowOutcome = { kind: "final"; test: TestView; interrupted: boolean } | { kind: "left" };

/** What {@link followInterruptibly} needs: the test, the output, and what Ctrl-C does. */
export interface InterruptibleFollow {
  testId: string;
  out: Output;
  quiet: boolean;
  /** Asks the orchestrator (or the in-process one) to stop the test. */
  requestStop: () => Promise<unknown>;
  /** Ctrl-C leaves at once and the test keeps running. */
  detach: boolean;
  onInterrupt?: OnInterrupt;
  /** Aborted when the CLI leaves, to close the event stream. */
  abort?: AbortController;
  /** How to follow the test again, e.g. "loadtest watch ID"; absent when nothing outlives the CLI. */
  rejoin?: string;
  /** Ctrl-C was pressed before the follow began (while the test was being created): act on it at once. */
  pressed?: boolean;
}

class Left extends Error {}

/** Yields `source` until `abandoned` settles, then throws {@link Left}. */
async function* abandonable<T>(source: AsyncIterable<T>, abandoned: Promise<void>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  const left = abandoned.then(() => {
    throw new Left();
  });
  left.catch(() => {});
  try {
    for (;;) {
      const next = await Promise.race([it.next(), left]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // Not awaited: a generator parked on a read finishes only once the abort lands.
    void it.return?.(undefined)?.catch(() => {});
  }
}

/**
 * Follows `events` like {@link follow}, handling Ctrl-C: the first asks for the stop (a failure
 * is printed, the follow goes on) and the final result comes as usual; a second Ctrl-C, or the
 * first with `detach`, leaves without waiting.
 */
export async function followInterruptibly(events: AsyncIterable<FollowEvent>, options: InterruptibleFollow): Promise<FollowOutcome> {
  const { testId, out, quiet, requestStop, detach, onInterrupt, abort, rejoin, pressed = false } = options;
  const leave = Promise.withResolvers<void>();
  let presses = 0;
  const handler = () => {
    presses++;
    if (detach || presses > 1) {
      const how = rejoin ? `; follow it with "${rejoin}"` : "";
      out.stderr(detach ? `\nloadtest: detached; test ${testId} keeps running${how}\n` : `\nloadtest: left without waiting; test ${testId} is stopping${how}\n`);
      abort?.abort();
      leave.resolve();
      return;
    }
    out.stderr(`\nloadtest: stopping test ${testId} (Ctrl-C again to leave without waiting)\n`);
    requestStop().catch((err: unknown) => {
      // It ended meanwhile (409 from the API, a conflict from the in-process orchestrator): its final result is on its way.
      if ((err instanceof CliError && err.status === 409) || (err instanceof OrchestratorError && err.kind === "conflict")) return;
      out.stderr(`loadtest: could not stop test ${testId}: ${(err as Error).message}\n`);
    });
  };
  const unsubscribe = onInterrupt?.(handler) ?? (() => {});
  if (pressed) handler();
  try {
    const test = await follow(abandonable(events, leave.promise), out, quiet);
    return { kind: "final", test, interrupted: presses > 0 };
  } catch (err) {
    if (err instanceof Left) return { kind: "left" };
    throw err;
  } finally {
    unsubscribe();
  }
}
