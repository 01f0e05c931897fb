import { describe, expect, test } from "bun:test";
import { describeStop, renderHistory, renderStopButton, renderSummary, renderTestHead } from "../../../src/dashboard/client/render.ts";
import { reportHtml } from "../../../src/orchestrator/http/report-html.ts";
import { summarizeTest } from "../../../src/orchestrator/test-summary.ts";
import { testView } from "../cli/fixtures.ts";

const aborted = testView({
  state: "stopped",
  error: "stopped: abort_on errors>10% held: errors = 48.50% (97 of 200) over the last 2 s",
  abort: { abort_on: ["errors>10%"], abort_window_s: 2, abort_delay_s: 2 },
  stop: { requested_at: 3_000, reason: "abort_on errors>10% held: errors = 48.50% (97 of 200) over the last 2 s", grace_ms: 2000, by: "threshold", threshold: { expression: "errors>10%", observed: 48.5, window_s: 2 }, unconfirmed: [] },
});

describe("stopping in the dashboard", () => {
  test("a running test has a Stop button, a created one Cancel; once stopping it is disabled; an ended test has none", () => {
    const running = testView({ state: "running", ended_at: null });
    expect(renderStopButton(running)).toContain(`id="stop-test" data-testid="stop-button" data-test="${running.test_id}">Stop<`);
    expect(renderTestHead(running, true)).toContain('data-testid="stop-button"');
    expect(renderStopButton(testView({ state: "created", ended_at: null }))).toContain(">Cancel<");
    const stopping = testView({ state: "running", ended_at: null, stop: { requested_at: 1, reason: "stopped from the dashboard", grace_ms: 2000, by: "user" } });
    expect(renderStopButton(stopping)).toBe('<button type="button" class="danger" data-testid="stop-button" disabled>stopping…</button>');
    expect([renderStopButton(testView()), renderStopButton(aborted)]).toEqual(["", ""]);
  });

  test("the summary says who stopped the test and the threshold that fired", () => {
    expect(describeStop(aborted)).toBe("Stopped by threshold errors>10% (observed 48.5 over the last 2 s): abort_on errors>10% held: errors = 48.50% (97 of 200) over the last 2 s");
    expect(renderSummary(aborted)).toContain('<p class="stop-reason" data-summary="stop">Stopped by threshold errors&#62;10% (observed 48.5');
    const byUser = testView({ state: "stopped", stop: { requested_at: 1, reason: "target falling over", grace_ms: 500, by: "user", unconfirmed: ["d2"] } });
    expect(describeStop(byUser)).toBe("Stopped by the user: target falling over; no final report from d2");
    expect(renderSummary(testView())).not.toContain("stop-reason");
  });

  test("the history shows the stopped state with the reason on hover; the HTML report shows the rule", () => {
    const history = renderHistory([summarizeTest(aborted)], null);
    expect(history).toContain('<span class="badge badge-stopped" title="stopped: abort_on errors&#62;10% held');
    expect(history).toContain(">stopped</span>");
    const report = reportHtml(aborted, null, 0);
    expect(report).toContain('<span class="badge stopped">stopped</span>');
    expect(report).toContain("<dt>abort on</dt><dd>errors&gt;10% (over 2 s, after 2 s)</dd>");
  });
});
