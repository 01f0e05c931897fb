import type { OrchestratorClient } from "./client.ts";
import type { CliContext } from "./command.ts";
import { INTERRUPT_EXIT_CODE, type FollowEvent } from "./follow.ts";
import { followInterruptibly } from "./interrupt.ts";
import { finishWithJunit } from "./junit-finish.ts";
import type { Threshold } from "./thresholds.ts";

/** What {@link followToExit} needs: the test, its events, and the command's flags. */
export interface FollowToExitOptions {
  client: OrchestratorClient;
  /** The command following it, named in the stop's reason. */
  command: "start" | "watch";
  testId: string;
  events: AsyncIterable<FollowEvent>;
  abort: AbortController;
  thresholds: readonly Threshold[];
  json: boolean;
  detach: boolean;
  /** --junit: where to write the JUnit XML too. */
  junitFile?: string;
  /** Ctrl-C was pressed already (before the test was created). */
  pressed?: boolean;
}

/** Follows a test to its end with Ctrl-C handling ({@link followInterruptibly}) and returns the command's exit code. */
export async function followToExit(ctx: CliContext, options: FollowToExitOptions): Promise<number> {
  const { client, command, testId, json } = options;
  const outcome = await followInterruptibly(options.events, {
    testId,
    out: ctx.out,
    quiet: json,
    requestStop: () => client.stopTest(testId, { reason: `Ctrl-C in loadtest ${command}` }),
    detach: options.detach,
    onInterrupt: ctx.onInterrupt,
    abort: options.abort,
    rejoin: `loadtest watch ${testId}`,
    pressed: options.pressed,
  });
  if (outcome.kind === "left") return INTERRUPT_EXIT_CODE;
  return finishWithJunit(outcome.test, options.thresholds, ctx.out, json, outcome.interrupted, options.junitFile);
}
