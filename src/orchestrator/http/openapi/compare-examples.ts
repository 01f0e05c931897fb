// Examples of `GET /tests/:id/distribution` and `GET /tests/compare`, computed by the pure
// modules that answer them, so they cannot drift from the real shape.
import { compareTests } from "../../../compare/compare.ts";
import { parseRegressionThresholds } from "../../../compare/regression-threshold.ts";
import { createDigest } from "../../../stats/digest.ts";
import { latencyDistribution } from "../../../stats/distribution.ts";
import type { TestView } from "../../snapshot.ts";
import { TEST_VIEW_EXAMPLE } from "./examples.ts";

const CANDIDATE_ID = "9a0b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c0d";

function exampleDistribution(scale: number) {
  const digest = createDigest();
  // 2000 latencies from 0.4 ms with a long tail, as a loopback target answers.
  const values = Array.from({ length: 2000 }, (_, i) => scale * (0.4 + 2 / (1 - i / 2001) ** 0.5 - 2));
  for (const v of values) digest.push(v);
  return latencyDistribution(digest, { count: values.length, min: Math.min(...values), max: Math.max(...values) }, 4, 4);
}

/** `GET /tests/:id/distribution` (4 points a decade here; the API answers 20). */
export const DISTRIBUTION_EXAMPLE = {
  test_id: TEST_VIEW_EXAMPLE.test_id,
  total: exampleDistribution(1),
  per_driver: [{ node_id: "driver-1", instance_id: "3b9f6c1e-1111-4a2b-9c3d-4e5f6a7b8c9d", distribution: exampleDistribution(1) }],
  by_name: {},
};

const candidate: TestView = {
  ...TEST_VIEW_EXAMPLE,
  test_id: CANDIDATE_ID,
  metrics: { ...TEST_VIEW_EXAMPLE.metrics, latency: { ...TEST_VIEW_EXAMPLE.metrics.latency!, median_latency: 1.9, p99_latency: 7.4 } },
};
const thresholds = parseRegressionThresholds(["p99=10%", "errors=0.1pp"]);

/** `GET /tests/compare?base=…&candidate=…&max_regression=p99=10%&max_regression=errors=0.1pp`. */
export const COMPARISON_EXAMPLE = compareTests(TEST_VIEW_EXAMPLE, candidate, thresholds.ok ? thresholds.value : []);
