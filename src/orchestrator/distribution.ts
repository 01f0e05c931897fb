// A test's latency distributions (whole test and per driver) from its aggregate: the numbers of
// `GET /tests/:id/distribution`, the dashboard's and the HTML report's percentile chart.
import { addExact, createDigest, emptyExact, mergeDigest } from "../stats/digest.ts";
import { latencyDistribution, type LatencyDistribution } from "../stats/distribution.ts";
import { allDrivers, type TestAggregate } from "./aggregate.ts";
import { driverDigest, driverExact, totalDigest } from "./aggregate-latency.ts";
import type { LiveTest } from "./live-test.ts";

/** One driver process's distribution. */
export interface DriverDistribution {
  node_id: string;
  instance_id: string | null;
  distribution: LatencyDistribution | null;
}

/** A test's latency distributions: the whole test from the merged digest, then each driver. */
export interface TestDistribution {
  test_id: string;
  total: LatencyDistribution | null;
  per_driver: DriverDistribution[];
  /** Per request name, once scenarios name requests (always empty today). */
  by_name: Record<string, LatencyDistribution | null>;
}

/**
 * The distributions of an aggregate; pure. A summary-only driver (the brief's four figures, no
 * digest) has none and is not in the total, as in totalLatency.
 */
export function distributionOf(testId: string, agg: TestAggregate, byName: Record<string, LatencyDistribution | null> = {}): TestDistribution {
  const exact = emptyExact();
  const drivers = allDrivers(agg);
  for (const driver of drivers) addExact(exact, driverExact(driver));
  return {
    test_id: testId,
    total: latencyDistribution(totalDigest(agg), exact),
    per_driver: drivers.map((driver) => {
      const digest = createDigest();
      mergeDigest(digest, driverDigest(driver));
      return { node_id: driver.node_id, instance_id: driver.instance_id, distribution: latencyDistribution(digest, driverExact(driver)) };
    }),
    by_name: byName,
  };
}

/** A test's distributions from its core model: the whole test's, and each request name's total. */
export function testDistributionOf(test: LiveTest): TestDistribution {
  const byName = Object.fromEntries([...test.byRequest].map(([name, tally]) => [name, distributionOf(test.test_id, tally.aggregate).total]));
  return distributionOf(test.test_id, test.aggregate, byName);
}
