// `--junit FILE` on start, run and watch: the end of a followed test, plus its JUnit file.
import type { TestView } from "../orchestrator/snapshot.ts";
import { finish, type Output } from "./follow.ts";
import { thresholdCases, writeJunit } from "./junit.ts";
import { evaluateThresholds, type Threshold } from "./thresholds.ts";

/** The `--junit` flag of start, run and watch. */
export const JUNIT_FLAG = { junit: { type: "string" } } as const;

/** Its help line. */
export const JUNIT_HELP = `  --junit <file>         also write the thresholds (and whether the test ended done) as JUnit XML`;

/**
 * Prints the summary and returns finish()'s exit code; with a file, also writes each
 * threshold as a JUnit test case. A file that cannot be written is an error (exit 1) even
 * when every threshold passed: CI would otherwise read a stale file.
 */
export function finishWithJunit(test: TestView, thresholds: readonly Threshold[], out: Output, json: boolean, interrupted: boolean, junitFile: string | undefined): number {
  const code = finish(test, thresholds, out, json, interrupted);
  if (junitFile === undefined) return code;
  try {
    writeJunit(junitFile, `loadtest ${test.test_id}`, thresholdCases(test, evaluateThresholds(thresholds, test)));
  } catch (err) {
    out.stderr(`loadtest: cannot write --junit ${junitFile}: ${(err as Error).message}\n`);
    return code === 0 ? 1 : code;
  }
  return code;
}
