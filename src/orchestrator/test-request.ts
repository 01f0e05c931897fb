import { z } from "zod";
import { AbortDelaySchema, AbortOnSchema, AbortWindowSchema } from "./abort/abort-config.ts";
import { checkRunnable, MAX_COUNT_PER_DRIVER, TargetUrlSchema, TestParametersSchema, toIssues, type Issue } from "../protocol/index.ts";
import { countIssues, scenarioAllowIssues, scenarioSizeIssues } from "./scenario-request.ts";

/** A boolean that may arrive as "true"/"false". */
const flag = z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());

/**
 * `POST /tests` body: the test parameters of the wire configuration (test-parameters.ts), the
 * target checked by the URL rule at once, plus the API's own fields. Numbers may arrive quoted,
 * as in the brief; unknown fields are refused.
 */
export const TestRequestSchema = z.strictObject({
  ...TestParametersSchema.shape,
  target_url: TargetUrlSchema.optional(),
  /** Optional here (not on the wire) when duration_s or stages ends the test: then MAX_COUNT_PER_DRIVER. */
  message_count_per_driver: TestParametersSchema.shape.message_count_per_driver.optional(),
  trigger: flag.optional(),
  /** Thresholds that stop the test when they hold (orchestrator-side; see abort/abort-config.ts). */
  abort_on: AbortOnSchema.optional(),
  abort_window_s: AbortWindowSchema.optional(),
  abort_delay_s: AbortDelaySchema.optional(),
});

/** A validated `POST /tests` body with the target filled in. */
export type TestRequest = Omit<z.infer<typeof TestRequestSchema>, "target_url" | "trigger" | "message_count_per_driver"> & {
  target_url: string;
  message_count_per_driver: number;
  trigger: boolean;
};

export interface TestRequestOptions {
  /** Used when the body names no target. */
  defaultTarget: string;
  /** `host` (any port) or `host:port` entries; `*` allows every host. */
  allowTargets: readonly string[];
}

export type TestRequestResult = { ok: true; value: TestRequest } | { ok: false; issues: Issue[] };

/** True when `url`'s host (and port, when the entry names one) is in the allowlist. */
export function isTargetAllowed(url: string, allowTargets: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const host = parsed.hostname.toLowerCase();
  const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
  return allowTargets.some((entry) => {
    const e = entry.trim().toLowerCase();
    if (e === "*") return true;
    const match = /^(.*?)(?::(\d+))?$/.exec(e);
    return match !== null && match[1] === host && (match[2] === undefined || match[2] === port);
  });
}

/** Splits zod's one "unrecognized keys" issue into one issue per field. */
function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ path: [...issue.path, key].join("."), message: "unknown field" }))
      : toIssues(new z.ZodError([issue])),
  );
}

/**
 * Validates a `POST /tests` body and returns every problem at once: field by field, then
 * the rules across fields, with the fields that are themselves valid: the drivers' own
 * (`checkRunnable`: TSUNAMI delay, schedule length), AVALANCHE takes no delay, the target
 * must be allowed (every request URL too), the count may be left out only when duration_s or
 * stages ends the test, the scenario must fit the bus. A field is named once, by its first issue.
 */
export function parseTestRequest(body: unknown, options: TestRequestOptions): TestRequestResult {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, issues: [{ path: "(root)", message: "must be a JSON object" }] };
  }
  const parsed = TestRequestSchema.safeParse(body);
  const issues = parsed.success ? [] : issuesOf(parsed.error);
  const fields = body as Record<string, unknown>;
  const shape = TestRequestSchema.shape;
  const type = shape.test_type.safeParse(fields.test_type);
  const delay = shape.test_message_delay.safeParse(fields.test_message_delay);
  const count = shape.message_count_per_driver.safeParse(fields.message_count_per_driver);
  const throughput = shape.target_throughput.safeParse(fields.target_throughput);
  const url = shape.target_url.safeParse(fields.target_url);
  const requests = shape.requests.safeParse(fields.requests);
  const data = shape.data.safeParse(fields.data);
  const duration = shape.duration_s.safeParse(fields.duration_s);
  const stages = shape.stages.safeParse(fields.stages);
  const target = url.success ? (url.data ?? options.defaultTarget) : undefined;
  // An invalid count only skips the schedule-length rules; the other rules still apply.
  if (type.success && delay.success && throughput.success && target !== undefined) {
    const runnable = checkRunnable({
      test_type: type.data,
      test_message_delay: delay.data,
      message_count_per_driver: count.data,
      target_url: target,
      target_throughput: throughput.data,
      ...(requests.success && requests.data !== undefined ? { requests: requests.data } : {}),
      ...(data.success && data.data !== undefined ? { data: data.data } : {}),
      ...(duration.success && duration.data !== undefined ? { duration_s: duration.data } : {}),
      ...(stages.success && stages.data !== undefined ? { stages: stages.data } : {}),
    });
    const named = new Set(issues.map((i) => i.path));
    issues.push(...runnable.filter((i) => !named.has(i.path)));
  }
  if (type.data === "AVALANCHE" && (delay.data ?? 0) > 0) {
    issues.push({ path: "test_message_delay", message: "only TSUNAMI tests take a delay; leave it out or 0 for AVALANCHE" });
  }
  if (target !== undefined && !isTargetAllowed(target, options.allowTargets)) {
    issues.push({
      path: "target_url",
      message: `target ${new URL(target).host} is not allowed; allowed: ${options.allowTargets.join(", ")} (start the orchestrator with --allow-target)`,
    });
  }
  if (count.success) issues.push(...countIssues(count.data, { duration_s: fields.duration_s, stages: fields.stages }));
  if (requests.success) issues.push(...scenarioAllowIssues(requests.data, (origin) => isTargetAllowed(origin, options.allowTargets), options.allowTargets));
  if (requests.success && data.success) issues.push(...scenarioSizeIssues(requests.data, data.data));
  for (const field of ["abort_window_s", "abort_delay_s"] as const) {
    if (fields[field] !== undefined && fields.abort_on === undefined) issues.push({ path: field, message: "only applies with abort_on; give the thresholds too" });
  }
  if (!parsed.success || issues.length > 0) return { ok: false, issues };
  const { trigger, message_count_per_driver, ...rest } = parsed.data;
  return { ok: true, value: { ...rest, message_count_per_driver: message_count_per_driver ?? MAX_COUNT_PER_DRIVER, target_url: target!, trigger: trigger ?? false } };
}
