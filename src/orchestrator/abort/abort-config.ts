// `abort_on` in a test request: thresholds that stop the test when they hold over a window of
// seconds, after a delay from the start (k6's abortOnFail / delayAbortEval). Orchestrator-side
// only: the drivers never see it (it is not part of test_config).
import { z } from "zod";
import { wireCount, wireNumber } from "../../protocol/fields.ts";
import { MAX_TEST_DURATION_MS } from "../../protocol/index.ts";
import { MAX_THRESHOLD_LENGTH, parseThreshold, type Threshold } from "../../protocol/thresholds.ts";

/** Seconds of merged per-second figures an abort threshold is judged on, unless told. */
export const DEFAULT_ABORT_WINDOW_S = 5;
/** Seconds after the start before any abort, unless told (the target warms up, connections open). */
export const DEFAULT_ABORT_DELAY_S = 10;
/** Longest window: the orchestrator keeps this many seconds per test in memory. */
export const MAX_ABORT_WINDOW_S = 300;
/** Most abort thresholds one test may carry. */
export const MAX_ABORT_THRESHOLDS = 16;

/** `abort_on`: threshold expressions in the CLI's syntax, each one valid, the bad ones named by index. */
export const AbortOnSchema = z
  .array(z.string().max(MAX_THRESHOLD_LENGTH, `must be at most ${MAX_THRESHOLD_LENGTH} characters`))
  .min(1, 'give at least one threshold, e.g. ["errors>5%"], or leave abort_on out')
  .max(MAX_ABORT_THRESHOLDS, `at most ${MAX_ABORT_THRESHOLDS} thresholds`)
  .superRefine((texts, ctx) => {
    texts.forEach((text, i) => {
      const parsed = parseThreshold(text);
      if (!parsed.ok) ctx.addIssue({ code: "custom", path: [i], message: `"${text}": ${parsed.error}` });
      // The live judge reads the whole test's per-second cells, which keep neither names nor checks.
      else if (parsed.value.name !== undefined || parsed.value.metric === "checks") {
        ctx.addIssue({ code: "custom", path: [i], message: `"${text}": checks and per-request thresholds are judged on the result (loadtest --threshold), not by abort_on` });
      }
    });
  });

/** `abort_window_s`: whole seconds, 1 to {@link MAX_ABORT_WINDOW_S}. */
export const AbortWindowSchema = wireCount(MAX_ABORT_WINDOW_S).pipe(z.number().min(1, "must be at least 1"));

/** `abort_delay_s`: seconds (fractions allowed), 0 up to the longest test. */
export const AbortDelaySchema = wireNumber(z.number().nonnegative().max(MAX_TEST_DURATION_MS / 1000));

/** A test's automatic-abort rule as stored on its record and shown by the API. */
export interface AbortConfig {
  abort_on: string[];
  abort_window_s: number;
  abort_delay_s: number;
}

/** The rule of a validated request with its defaults filled, or undefined when it has no `abort_on`. */
export function abortConfigOf(request: { abort_on?: string[]; abort_window_s?: number; abort_delay_s?: number }): AbortConfig | undefined {
  if (!request.abort_on || request.abort_on.length === 0) return undefined;
  return {
    abort_on: request.abort_on.map((t) => t.trim()),
    abort_window_s: request.abort_window_s ?? DEFAULT_ABORT_WINDOW_S,
    abort_delay_s: request.abort_delay_s ?? DEFAULT_ABORT_DELAY_S,
  };
}

/** The parsed thresholds of a stored rule (validated when the test was created). */
export function abortThresholds(config: AbortConfig): Threshold[] {
  return config.abort_on.flatMap((text) => {
    const parsed = parseThreshold(text);
    return parsed.ok ? [parsed.value] : [];
  });
}
