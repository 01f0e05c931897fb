import { z } from "zod";
import { wireCount, wireNumber } from "./fields.ts";
import { ChecksSchema, DataSchema, DurationSchema, RequestsSchema, StagesSchema, StartThroughputSchema } from "./scenario.ts";
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
  // Issue 11 (scenarios, protocol/scenario.ts); all optional: a test without them runs as before.
  /** Extension: what each send is (weighted round-robin over these); absent: one GET of target_url. */
  requests: RequestsSchema.optional(),
  /** Extension: rows for `${data.FIELD}` templates. */
  data: DataSchema.optional(),
  /** Extension: checks every response must pass (a request's own replace them). */
  checks: ChecksSchema.optional(),
  /** Extension: sending stops this many seconds after the start (or at the count, first). */
  duration_s: wireNumber(DurationSchema).optional(),
  /** Extension: ramping arrival rate per driver. */
  stages: StagesSchema.optional(),
  /** Extension: rate the first stage starts from (requests/s, default 0). */
  start_throughput: wireNumber(StartThroughputSchema).optional(),
  /** Extension: accept a self-signed TLS certificate. */
  tls_insecure: z.boolean().optional(),
});
