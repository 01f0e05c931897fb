import { describe, expect, test } from "bun:test";
import { renderRequestOptions, renderRequestTable, requestNamesOf } from "../../../src/dashboard/client/request-view.ts";
import { counts, testView } from "../cli/fixtures.ts";

describe("dashboard per-request table and selector", () => {
  test("a row per request name with errors, checks and latency, the first failure under it, names escaped", () => {
    const view = testView();
    view.by_request = {
      ping: { counts: counts(800), metrics: { mean: 2, median: 1.5, min: 0.5, max: 30, p90: 4, p95: 6, p99: 12 }, check_failed: 0, first_check_failure: null },
      "<i>create</i>": { counts: counts(200, { status_2xx: 190, status_5xx: 10, check_failed: 10 }), metrics: null, check_failed: 10, first_check_failure: "status 500 not in [201]" },
    };
    const html = renderRequestTable(view);
    const rows = [...html.matchAll(/<tr data-request="([^"]*)">(.*?)<\/tr>/gs)].map((m) => [m[1], [...m[2]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1])]);
    expect(rows).toEqual([
      ["ping", ["ping", "800", "800", "0", "0", "100.00%", "1.50 ms", "12.0 ms", "30.0 ms"]],
      ["&#60;i&#62;create&#60;/i&#62;", ["&#60;i&#62;create&#60;/i&#62;", "200", "200", "10", "10", "95.00%", "–", "–", "–"]],
    ]);
    expect(html).toContain(`<td colspan="9" class="muted">first check failure: status 500 not in [201]</td>`);
    expect({ names: requestNamesOf(view), none: renderRequestTable(testView()), noNames: requestNamesOf(testView()) }).toEqual({ names: ["ping", "<i>create</i>"], none: "", noNames: [] });
  });

  test("the selector offers all requests then each name, the picked one selected", () => {
    expect(renderRequestOptions(["ping", "a\"b"], "a\"b")).toBe(`<option value="">all requests</option><option value="ping">ping</option><option value="a&#34;b" selected>a&#34;b</option>`);
  });
});
