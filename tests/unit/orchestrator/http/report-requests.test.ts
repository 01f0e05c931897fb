import { describe, expect, test } from "bun:test";
import { reportHtml } from "../../../../src/orchestrator/http/report-html.ts";
import { counts, testView } from "../../cli/fixtures.ts";

describe("HTML report of a scenario", () => {
  test("has a Requests card with a row per name and its first check failure, names and reasons escaped", () => {
    const view = testView();
    view.by_request = {
      "<b>ping</b>": { counts: counts(800), metrics: { mean: 2, median: 1.5, min: 0.5, max: 30, p90: 4, p95: 6, p99: 12 }, check_failed: 0, first_check_failure: null },
      create: { counts: counts(200, { check_failed: 2 }), metrics: null, check_failed: 2, first_check_failure: 'body does not include "<ok>"' },
    };
    const page = reportHtml(view, null, 0);
    expect({
      card: page.includes("<h2>Requests</h2>"),
      ping: page.includes("<tr><td>&lt;b&gt;ping&lt;/b&gt;</td><td>800</td><td>800</td><td>0</td>"),
      failure: page.includes('first check failure: body does not include &quot;&lt;ok&gt;&quot;'),
      without: reportHtml(testView(), null, 0).includes("<h2>Requests</h2>"),
    }).toEqual({ card: true, ping: true, failure: true, without: false });
  });
});
