// A test's latency distributions (whole test and per driver) from its aggregate: the numbers of
// `GET /tests/:id/distribution`, the dashboard's and the HTML report's percentile chart.
import { addExact, createDigest, emptyExact, mergeDigest } from "../stats/digest.ts";
import { latencyDistribution, type LatencyDistribution } from "../stats/distribution.ts";
import { allDrivers, driverDigest, driverExact, totalDigest, type TestAggregate } from "./aggregate.ts";

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

/** The distributions of an aggregate; pure. */
export function distributionOf(testId: string, agg: TestAggregate): TestDistribution {
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
    by_name: {},
  };
}
