// Response shapes of `GET /tests/:id/distribution` and `GET /tests/compare`, for the OpenAPI
// document; each `satisfies` the type the code returns (see response-schemas.ts).
import { z } from "zod";
import type { Comparison, MetricComparison } from "../../../compare/compare.ts";
import { COMPARE_METRICS } from "../../../compare/regression-threshold.ts";
import type { LatencyDistribution } from "../../../stats/distribution.ts";
import type { TestDistribution } from "../../distribution.ts";

const LatencyDistributionSchema = z
  .object({
    count: z.number(),
    min_ms: z.number().describe("exact minimum: p0"),
    max_ms: z.number().describe("exact maximum: p100"),
    points: z.array(z.object({ percentile: z.number().describe("0..99.99"), x: z.number().describe("1/(1−p), the log axis"), latency_ms: z.number() })),
  })
  .nullable() satisfies z.ZodType<LatencyDistribution | null>;

/** `GET /tests/:id/distribution`. */
export const DistributionSchema = z.object({
  test_id: z.string(),
  total: LatencyDistributionSchema,
  per_driver: z.array(z.object({ node_id: z.string(), instance_id: z.string().nullable(), distribution: LatencyDistributionSchema })),
  by_name: z.record(z.string(), LatencyDistributionSchema),
}) satisfies z.ZodType<TestDistribution>;

const MetricComparisonSchema = z.object({
  metric: z.enum(COMPARE_METRICS),
  unit: z.enum(["req/s", "%", "ms"]),
  worse_when: z.enum(["lower", "higher"]),
  base: z.number().nullable(),
  candidate: z.number().nullable(),
  change: z.number().nullable().describe("candidate − base (percentage points for errors and late)"),
  change_pct: z.number().nullable().describe("relative change in %; null when the base is 0"),
  regressed: z.boolean(),
  verdict: z.enum(["pass", "fail", "info"]),
  threshold: z.string().nullable(),
  detail: z.string(),
}) satisfies z.ZodType<MetricComparison>;

/** `GET /tests/compare`. */
export const ComparisonSchema = z.object({
  base: z.string(),
  candidate: z.string(),
  metrics: z.array(MetricComparisonSchema),
  by_name: z.record(z.string(), z.array(MetricComparisonSchema)),
  thresholds: z.array(z.string()),
  passed: z.boolean(),
}) satisfies z.ZodType<Comparison>;
