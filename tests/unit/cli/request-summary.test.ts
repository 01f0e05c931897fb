import { describe, expect, test } from "bun:test";
import { formatBytes } from "../../../src/cli/request-summary.ts";
import { formatSummary } from "../../../src/cli/summary.ts";
import { counts, testView } from "./fixtures.ts";

describe("final summary of a scenario", () => {
  test("shows checks, data and a row per request name with its first check failure", () => {
    const view = testView({ total: counts(1000, { check_failed: 20, bytes_sent: 250_000, bytes_received: 1_500_000 }) });
    view.by_request = {
      ping: { counts: counts(800, { bytes_sent: 80_000, bytes_received: 1_000_000 }), metrics: { mean: 2, median: 1.5, min: 0.5, max: 30, p90: 4, p95: 6, p99: 12 }, check_failed: 0, first_check_failure: null },
      "POST /items": {
        counts: counts(200, { status_2xx: 180, status_5xx: 20, check_failed: 20 }),
        metrics: { mean: 20, median: 15, min: 3, max: 900, p90: 40, p95: 60, p99: 450 },
        check_failed: 20,
        first_check_failure: "status 500 not in [200,201]",
      },
    };
    const lines = formatSummary(view).split("\n");
    const from = lines.indexOf("  late sends .... 0   start skew 3 ms");
    const table = lines.findIndex((l) => l.startsWith("  request "));
    expect([...lines.slice(from + 1, from + 3), ...lines.slice(table, table + 4)]).toEqual([
      "  checks ........ 98.00% passed, 20 of 1,000 responses failed",
      "  data .......... 250.0 kB sent, 1.5 MB received",
      "  request      sent  completed  errors  checks failed      p50      p90      p99      max",
      "  ping          800        800       0              0  1.50 ms  4.00 ms  12.0 ms  30.0 ms",
      "  POST /items   200        200      20             20  15.0 ms  40.0 ms   450 ms   900 ms",
      "  first check failure of POST /items: status 500 not in [200,201]",
    ]);
  });

  test("a test without a scenario shows no checks, data or request table", () => {
    const text = formatSummary(testView());
    expect(["checks ....", "data ....", "request "].map((t) => text.includes(t))).toEqual([false, false, false]);
  });

  test("formats bytes in powers of 1000", () => {
    expect([0, 999, 1_000, 1_234_567, 5e9].map(formatBytes)).toEqual(["0 B", "999 B", "1.0 kB", "1.2 MB", "5.0 GB"]);
  });
});
