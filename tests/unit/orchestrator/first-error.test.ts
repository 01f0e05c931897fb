import { expect, test } from "bun:test";
import { firstErrorLines } from "../../../src/cli/summary.ts";
import { applyReport, createAggregate } from "../../../src/orchestrator/aggregate.ts";
import { MetricsReportSchema } from "../../../src/protocol/index.ts";
import { testView } from "../cli/fixtures.ts";
import { FakeDriverReports, spread } from "./fixtures.ts";

test("a driver's first_error is kept from the first report that carries it, and the summary names it per driver", () => {
  const d1 = new FakeDriverReports("d1", "t1");
  const d2 = new FakeDriverReports("d2", "t1");
  const agg = createAggregate(["d1", "d2"]);
  applyReport(agg, d1.window(spread(10, 1, 2)), 0);
  applyReport(agg, { ...d1.window(spread(10, 1, 2)), first_error: "connect ECONNREFUSED" }, 0);
  applyReport(agg, { ...d1.window(spread(10, 1, 2), { final: true }), first_error: "later one" }, 0);
  applyReport(agg, d2.window(spread(10, 1, 2), { final: true }), 0);
  expect([agg.drivers.get("d1")!.first_error, agg.drivers.get("d2")!.first_error]).toEqual(["connect ECONNREFUSED", undefined]);

  const view = testView();
  const withError = { ...view, per_driver: view.per_driver.map((d, i) => (i === 0 ? { ...d, first_error: "TLS certificate rejected: DEPTH_ZERO_SELF_SIGNED_CERT (tls_insecure accepts it)" } : d)) };
  expect({ none: firstErrorLines(view), one: firstErrorLines(withError) }).toEqual({
    none: [],
    one: ["  first error of d1: TLS certificate rejected: DEPTH_ZERO_SELF_SIGNED_CERT (tls_insecure accepts it)"],
  });
});

test("first_error is an optional report field of at most 1024 characters", () => {
  const report = new FakeDriverReports("d1", "t1").window(spread(1, 1, 2));
  expect([
    MetricsReportSchema.safeParse(report).success,
    MetricsReportSchema.safeParse({ ...report, first_error: "x".repeat(1024) }).success,
    MetricsReportSchema.safeParse({ ...report, first_error: "x".repeat(1025) }).success,
  ]).toEqual([true, true, false]);
});
