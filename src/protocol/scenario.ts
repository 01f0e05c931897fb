import { z } from "zod";
import { MAX_TEST_DURATION_MS, MAX_THROUGHPUT, MAX_TIMEOUT_MS, MAX_URL_LENGTH } from "./limits.ts";
import { templateIssues } from "./template-syntax.ts";
import { splitRequestUrl } from "./url-rules.ts";

export { splitRequestUrl };

/**
 * The scenario fields of a test (issue 11): what it sends (`requests`, `data`), what the
 * answers must satisfy (`checks`) and how its rate moves (`stages`). Each schema judges its
 * own field; the rules across fields (a relative URL needs `target_url`, `${data.X}` needs
 * `data`, the allow-target rule) are `scenarioIssues` (scenario-rules.ts) and the API's.
 */

/** Methods a scenario request may use. */
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** Most requests in one test (also the bound on per-request statistics). */
export const MAX_REQUESTS = 64;

/** Largest request body (the string, or the JSON value stringified), in UTF-8 bytes. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/** Most rows of `data`. */
export const MAX_DATA_ROWS = 10_000;

/** Largest `data`, serialized as JSON. */
export const MAX_DATA_BYTES = 4 * 1024 * 1024;

/** Highest weight of one request. */
export const MAX_WEIGHT = 10_000;

/** Longest request name. */
export const MAX_REQUEST_NAME_LENGTH = 128;

/** Most headers on one request. */
export const MAX_HEADERS = 64;

/** Most stages of a ramp. */
export const MAX_STAGES = 100;

/** Longest `body_includes` text (a body is read up to 64 KiB to look for it). */
export const MAX_BODY_INCLUDES_LENGTH = 4096;

/** Headers the driver writes itself: a request may not set them. */
export const RESERVED_HEADERS = ["host", "content-length", "transfer-encoding", "connection"] as const;

const MAX_DURATION_S = MAX_TEST_DURATION_MS / 1000;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Control characters (CR, LF, NUL...) would split the request head.
const HEADER_VALUE = /^[^\x00-\x08\x0a-\x1f\x7f]*$/;
const utf8 = new TextEncoder();

/** Adds one issue per template problem of `text` to the current field. */
function refineTemplates(text: string, ctx: z.RefinementCtx): void {
  for (const message of templateIssues(text)) ctx.addIssue({ code: "custom", message });
}

/** A response check: accepted statuses, a text the body must hold, a latency ceiling. */
export const ChecksSchema = z.strictObject({
  status: z.array(z.number().int().min(100).max(599)).min(1).max(100).optional(),
  body_includes: z.string().min(1).max(MAX_BODY_INCLUDES_LENGTH).optional(),
  max_latency_ms: z.number().positive().max(MAX_TIMEOUT_MS).optional(),
});
/** A test's or a request's checks, as given. */
export type Checks = z.infer<typeof ChecksSchema>;

/** A method in any letter case, upper-cased. */
export const MethodSchema = z.preprocess(
  (v) => (typeof v === "string" ? v.toUpperCase() : v),
  z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(", ")}` }),
);

/** A request URL: absolute http(s) (literal origin) or a path joined to the target's origin. */
export const RequestUrlSchema = z
  .string()
  .min(1)
  .max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`)
  .superRefine((text, ctx) => {
    const split = splitRequestUrl(text);
    if ("error" in split) ctx.addIssue({ code: "custom", message: split.error });
    else if (/[\s\x00-\x1f\x7f]/.test(split.path)) ctx.addIssue({ code: "custom", message: "must not contain spaces or control characters (percent-encode them)" });
    refineTemplates(text, ctx);
  });

const HeaderValueSchema = z
  .string()
  .max(8192)
  .regex(HEADER_VALUE, "must not contain control characters (CR, LF, NUL)")
  .superRefine(refineTemplates);

/** Request headers: name -> value; templates allowed in values; Host, Content-Length, Transfer-Encoding and Connection are the driver's. */
export const HeadersSchema = z
  .record(
    z
      .string()
      .regex(HEADER_NAME, "is not a valid header name")
      .refine((name) => !(RESERVED_HEADERS as readonly string[]).includes(name.toLowerCase()), { error: (issue) => `${String(issue.input)} is set by the driver; leave it out` }),
    HeaderValueSchema,
    // zod 4 reports a bad key as "Invalid key in record": say what is wrong with it instead.
    { error: (issue) => (issue.code === "invalid_key" ? issue.issues[0]?.message : undefined) },
  )
  .refine((headers) => Object.keys(headers).length <= MAX_HEADERS, `at most ${MAX_HEADERS} headers`);

/** The text a body is sent as: a string as it is, any other JSON value stringified; null: no body. */
export function bodyText(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  return typeof body === "string" ? body : JSON.stringify(body);
}

/** A body: a string, or any JSON value (sent as JSON); at most {@link MAX_REQUEST_BODY_BYTES} as sent. */
export const BodySchema = z.unknown().superRefine((body, ctx) => {
  const text = bodyText(body);
  if (text === null) return;
  // A string's UTF-8 size is at least its length: only count bytes when it may be close.
  if (text.length > MAX_REQUEST_BODY_BYTES / 3 && utf8.encode(text).byteLength > MAX_REQUEST_BODY_BYTES) {
    ctx.addIssue({ code: "custom", message: `must be at most ${MAX_REQUEST_BODY_BYTES} bytes (1 MiB) as sent` });
    return;
  }
  refineTemplates(text, ctx);
});

/** One request of a scenario, as the test gives it. */
export const RequestSchema = z.strictObject({
  name: z.string().min(1).max(MAX_REQUEST_NAME_LENGTH).optional(),
  method: MethodSchema.optional(),
  url: RequestUrlSchema,
  headers: HeadersSchema.optional(),
  body: BodySchema.optional(),
  weight: z.number().int("must be a whole number").min(1, "must be at least 1").max(MAX_WEIGHT).optional(),
  checks: ChecksSchema.optional(),
});
/** One request as the test gives it (before the planner resolves it). */
export type RequestConfig = z.infer<typeof RequestSchema>;

/** A request's name: its own, else `METHOD path` (the path as written, templates and query included). */
export function requestName(request: Pick<RequestConfig, "name" | "method" | "url">): string {
  if (request.name !== undefined) return request.name;
  const split = splitRequestUrl(request.url);
  const path = "error" in split ? request.url : split.path;
  return `${request.method ?? "GET"} ${path}`.slice(0, MAX_REQUEST_NAME_LENGTH);
}

/** The test's requests: 1..64, names (given or default) unique. */
export const RequestsSchema = z
  .array(RequestSchema)
  .min(1, "give at least one request")
  .max(MAX_REQUESTS, `at most ${MAX_REQUESTS} requests`)
  .superRefine((requests, ctx) => {
    const seen = new Map<string, number>();
    requests.forEach((request, i) => {
      const name = requestName(request);
      const first = seen.get(name);
      if (first === undefined) seen.set(name, i);
      else ctx.addIssue({ code: "custom", path: [i, "name"], message: `"${name}" is also the name of requests.${first}; names must be unique` });
    });
  });

/** Rows for `${data.FIELD}`: objects, at most 10,000 of them and 4 MiB as JSON. */
export const DataSchema = z
  .array(z.record(z.string(), z.unknown()))
  .max(MAX_DATA_ROWS, `at most ${MAX_DATA_ROWS} rows`)
  .superRefine((rows, ctx) => {
    const bytes = Buffer.byteLength(JSON.stringify(rows));
    if (bytes > MAX_DATA_BYTES) ctx.addIssue({ code: "custom", message: `is ${bytes} bytes as JSON; at most ${MAX_DATA_BYTES} (4 MiB)` });
  });

/** One stage of a ramp: over `duration_s`, the rate moves linearly to `target_throughput` (per driver). */
export const StageSchema = z.strictObject({
  duration_s: z.number().nonnegative().max(MAX_DURATION_S),
  target_throughput: z.number().nonnegative().max(MAX_THROUGHPUT),
});
/** One stage of a ramp, as given. */
export type Stage = z.infer<typeof StageSchema>;

/** A ramp: 1..100 stages lasting more than 0 s and at most the longest test in all. */
export const StagesSchema = z
  .array(StageSchema)
  .min(1, "give at least one stage")
  .max(MAX_STAGES, `at most ${MAX_STAGES} stages`)
  .superRefine((stages, ctx) => {
    const total = stages.reduce((sum, s) => sum + s.duration_s, 0);
    if (!(total > 0)) ctx.addIssue({ code: "custom", message: "the stages last 0 s in all; give at least one a positive duration_s" });
    else if (total > MAX_DURATION_S) ctx.addIssue({ code: "custom", message: `the stages last ${total} s; the longest test is ${MAX_DURATION_S} s` });
  });

/** How long a test sends, in seconds: positive, at most the longest test. */
export const DurationSchema = z.number().positive("must be more than 0").max(MAX_DURATION_S, `must be at most ${MAX_DURATION_S} (24 h)`);

/** The rate the first stage starts from (requests/s per driver). */
export const StartThroughputSchema = z.number().nonnegative().max(MAX_THROUGHPUT);
