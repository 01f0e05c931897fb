// The shapes the API answers with, as zod schemas for the OpenAPI document. Each `satisfies`
// the TypeScript type the code returns, so a field the code drops or retypes fails `tsc`; the
// OpenAPI test also parses real responses with them.
import { z } from "zod";
import type { ConfigView } from "../../config-view.ts";
import { CountsSchema, LatencySummarySchema, TestConfigSchema, TestTypeSchema } from "../../../protocol/index.ts";
import type { BusHealth } from "../../bus-health.ts";
import type { NodePage, NodeView } from "../../registry.ts";
import type { DriverView, RequestView, TestView } from "../../snapshot.ts";
import type { TestSummary } from "../../test-summary.ts";

const epochMs = z.number().describe("epoch milliseconds");
const nullableMs = epochMs.nullable();

/** One problem with a request: the field's path and what is wrong with it. */
export const IssueSchema = z.object({ path: z.string(), message: z.string() });

/** The body of every error answer. */
export const ErrorBodySchema = z.object({ error: z.string(), issues: z.array(IssueSchema) });

const ErrorsViewSchema = z.object({ status_4xx: z.number(), status_5xx: z.number(), timeout: z.number(), connection_error: z.number(), total: z.number() });
const latency = LatencySummarySchema.nullable();

const figures = {
  requests_per_s: z.number(),
  completed_per_s: z.number(),
  avg_requests_per_s: z.number(),
  counts: CountsSchema,
  errors: ErrorsViewSchema,
  late: z.number(),
  latency,
  due_latency: latency,
  first_send_at: nullableMs,
  last_send_at: nullableMs,
};

const NodeStatusSchema = z.enum(["alive", "suspect", "dead", "left"]);
const TestStateSchema = z.enum(["created", "running", "done", "partial", "failed", "interrupted", "stopped"]);

const DriverViewSchema = z.object({
  ...figures,
  node_id: z.string(),
  instance_id: z.string().nullable().optional(),
  twin: z.boolean().optional(),
  clock_offset_ms: z.number().nullable().optional(),
  clock_corrected: z.boolean().nullable().optional(),
  summary_only: z.boolean().optional().describe("reports carry only the brief's four latency figures: shown as reported, no counts"),
  node_status: z.union([NodeStatusSchema, z.literal("unknown")]),
  outcome: z.enum(["waiting", "running", "final", "stopped", "rejected", "dead", "left", "stalled"]),
  reports: z.number(),
  last_sequence: z.number().nullable(),
  final: z.boolean(),
  last_report_at: nullableMs,
  accepted_at: nullableMs,
  started_at: nullableMs,
  error: z.string().nullable(),
  issues: z.array(IssueSchema),
}) satisfies z.ZodType<DriverView>;

/** Present when summary-only drivers took part: which ones, and how the fleet's mean and median were combined. */
const LatencyCombinationSchema = z.object({
  summary_only: z.array(z.string()),
  mean: z.string(),
  median: z.string(),
  min_max: z.string(),
  quantiles: z.string(),
});

const TestStopSchema = z.object({
  requested_at: epochMs,
  reason: z.string(),
  grace_ms: z.number(),
  by: z.enum(["user", "threshold", "restart"]),
  threshold: z.object({ expression: z.string(), observed: z.number(), window_s: z.number() }).optional(),
  unconfirmed: z.array(z.string()).optional(),
});

/** One request name's figures of a scenario (issue 11). */
const RequestViewSchema = z.object({
  counts: CountsSchema,
  metrics: z
    .object({ mean: z.number(), median: z.number(), min: z.number(), max: z.number(), p90: z.number(), p95: z.number(), p99: z.number() })
    .nullable()
    .describe("latency in ms, every driver's digests merged; null before a response"),
  check_failed: z.number().describe("responses that failed their checks (a subset of completed)"),
  first_check_failure: z.string().nullable(),
}) satisfies z.ZodType<RequestView>;

/** A test's configuration in its views: the `data` rows left out, counted by `data_rows` (config-view.ts). */
export const ConfigViewSchema = TestConfigSchema.omit({ data: true }).extend({
  data_rows: z.number().int().optional().describe("rows of the test's `data` (the rows themselves: GET /tests/{id}/config)"),
}) satisfies z.ZodType<ConfigView>;

/** A test with its figures: `GET /tests/:id`, the answer to create, trigger and stop, the report's `test`. */
export const TestViewSchema = z
  .object({
    test_id: z.string(),
    state: TestStateSchema,
    config: ConfigViewSchema,
    abort: z.object({ abort_on: z.array(z.string()), abort_window_s: z.number(), abort_delay_s: z.number() }).optional(),
    drivers: z.array(z.string()),
    created_at: epochMs,
    triggered_at: nullableMs,
    start_at: nullableMs,
    ended_at: nullableMs,
    error: z.string().nullable(),
    stop: TestStopSchema.optional(),
    warnings: z.array(z.string()).optional(),
    duration_ms: z.number().nullable(),
    generated_at: epochMs,
    metrics: z.object({
      ...figures,
      start_skew_ms: z.number().nullable(),
      drivers_reporting: z.number(),
      drivers_final: z.number(),
      latency_combined: LatencyCombinationSchema.optional(),
    }),
    per_driver: z.array(DriverViewSchema),
    /** The fleet's planned requests/s: vertices [t_s, requests/s], linear between, none after the last (absent: no planned rate). */
    planned_rps: z.array(z.tuple([z.number(), z.number()])).optional(),
    by_request: z.record(z.string(), RequestViewSchema).optional().describe("per request name of a scenario, absent without one"),
  }) satisfies z.ZodType<TestView>;

/** One line of `GET /tests`. */
export const TestSummarySchema = z
  .object({
    test_id: z.string(),
    state: TestStateSchema,
    test_type: TestTypeSchema,
    message_count_per_driver: z.number(),
    target_url: z.string().nullable(),
    drivers: z.array(z.string()),
    created_at: epochMs,
    triggered_at: nullableMs,
    ended_at: nullableMs,
    duration_ms: z.number().nullable(),
    error: z.string().nullable(),
    stop: TestStopSchema.optional(),
    counts: CountsSchema,
    latency,
  }) satisfies z.ZodType<TestSummary>;

const page = { total: z.number().int(), limit: z.number().int(), offset: z.number().int() };

/** `GET /tests`: newest first. */
export const TestPageSchema = z.object({ tests: z.array(TestSummarySchema), ...page });

const NodeViewSchema = z
  .object({
    node_id: z.string(),
    node_IP: z.string(),
    version: z.string().nullable(),
    status: NodeStatusSchema,
    status_since: epochMs,
    first_seen_at: epochMs,
    last_heartbeat_at: epochMs,
    driver_state: z.enum(["idle", "running"]).nullable(),
    current_test_id: z.string().nullable(),
    last_test_id: z.string().nullable(),
    requests_sent: z.number(),
    history: z.array(z.object({ event: z.enum(["joined", "left", "died", "returned", "suspect", "recovered", "conflict", "resolved", "forgotten", "deleted"]), at: epochMs })),
    verifies_signatures: z.boolean().optional(),
    instance_id: z.string().nullable().optional(),
    conflict: z.object({ instances: z.array(z.string()), since: epochMs, last_seen_at: epochMs }).nullable().optional(),
    clock: z
      .object({ offset_ms: z.number().nullable(), uncertainty_ms: z.number().nullable(), correction: z.boolean(), skewed: z.boolean(), flag: z.string().nullable() })
      .optional(),
  }) satisfies z.ZodType<NodeView>;

/** `GET /nodes`: live nodes first, then the dead and departed. */
export const NodePageSchema = z.object({ nodes: z.array(NodeViewSchema), ...page }) satisfies z.ZodType<NodePage>;

/** `DELETE /nodes/:id`. */
export const NodeDeletedSchema = z.object({ deleted: z.string() });

const BusHealthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  receiving: z.boolean(),
  not_receiving_since: nullableMs,
  topics: z.array(z.object({ topic: z.string(), condition: z.enum(["missing", "recreated"]), since: epochMs, reason: z.string() })),
  fail_tests_after_ms: z.number(),
}) satisfies z.ZodType<Omit<BusHealth, "topics">>;

/** `GET /healthz`: 200 while the bus is healthy, 503 with what is wrong while it is degraded. */
export const HealthSchema = z.object({ ok: z.boolean(), status: z.enum(["ok", "degraded"]), bus: BusHealthSchema });

/** `GET /tests/:id/report?format=json`: the test and its per-second series (null when it has none). */
export const ReportSchema = z
  .object({ test: TestViewSchema, series: z.looseObject({}).nullable().describe("the per-second series: one point per second of the test, per driver and in total") });
