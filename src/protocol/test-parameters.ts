import { z } from "zod";
import { wireCount, wireNumber } from "./fields.ts";
import { MAX_CONCURRENCY, MAX_COUNT_PER_DRIVER, MAX_DELAY_MS, MAX_THROUGHPUT, MAX_TIMEOUT_MS, MAX_URL_LENGTH, targetUrlIssues } from "./limits.ts";

/**
 * What a test asks of each driver, as one field list: the wire's test configuration
 * (`TestConfigSchema`, messages.ts) and the API's `POST /tests` body (`TestRequestSchema`,
 * orchestrator/test-request.ts) are both built from it, so a field or a bound is written once.
 */

/** The brief's two test types, in any case on the wire. */
export const TestTypeSchema = z.preprocess(
  (v) => (typeof v === "string" ? v.toUpperCase() : v),
  z.enum(["AVALANCHE", "TSUNAMI"]),
);
export type TestType = z.infer<typeof TestTypeSchema>;

/**
 * A target URL the API and the CLI accept: the one rule of limits.ts (`targetUrlIssues`: http or
 * https, no credentials), checked as the field is parsed. The wire takes any bounded string and
 * the driver applies the same rule in `checkRunnable`, answering TEST_REJECTED with the reason.
 */
export const TargetUrlSchema = z
  .string()
  .max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`)
  .superRefine((text, ctx) => {
    for (const message of targetUrlIssues(text)) ctx.addIssue({ code: "custom", message });
  });

const atLeastOne = "must be at least 1";

/** The test's parameters, each on its own (the rules across fields are `checkRunnable`'s). Numbers may arrive quoted. */
export const TestParametersSchema = z.object({
  test_type: TestTypeSchema,
  /** Milliseconds between sends (TSUNAMI); the brief sends "" or "0" for AVALANCHE. */
  test_message_delay: z.preprocess((v) => (v === "" || v === null ? undefined : v), wireNumber(z.number().nonnegative().max(MAX_DELAY_MS)).optional()),
  message_count_per_driver: wireCount(MAX_COUNT_PER_DRIVER).pipe(z.number().min(1, atLeastOne)),
  /** Extension: the URL every request goes to. */
  target_url: z.string().max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`).optional(),
  /** Extension: requests/s cap for each driver (token bucket). */
  target_throughput: wireNumber(z.number().positive().max(MAX_THROUGHPUT)).optional(),
  /** Extension: in-flight cap. */
  concurrency: wireCount(MAX_CONCURRENCY).pipe(z.number().min(1, atLeastOne)).optional(),
  /** Extension: per-request timeout. */
  timeout_ms: wireCount(MAX_TIMEOUT_MS).pipe(z.number().min(1, atLeastOne)).optional(),
  // TEMPORARY (pace helper, for its e2e): the proto helper owns these fields; its version wins at merge.
  /** Extension (issue 11): sending stops this many seconds after the start. */
  duration_s: wireNumber(z.number().positive().max(86_400)).optional(),
  /** Extension (issue 11): a ramping arrival rate per driver. */
  stages: z
    .array(z.object({ duration_s: wireNumber(z.number().nonnegative().max(86_400)), target_throughput: wireNumber(z.number().nonnegative().max(MAX_THROUGHPUT)) }))
    .min(1)
    .max(100)
    .refine((stages) => stages.reduce((sum, s) => sum + s.duration_s, 0) > 0, "the stages must last more than 0 s")
    .optional(),
  /** Extension (issue 11): the rate the first stage starts from. */
  start_throughput: wireNumber(z.number().nonnegative().max(MAX_THROUGHPUT)).optional(),
});
