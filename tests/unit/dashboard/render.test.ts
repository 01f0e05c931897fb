import { describe, expect, test } from "bun:test";
import { renderDriverTable, renderErrors, renderHistory, renderNodes, renderSummary, renderTiles } from "../../../src/dashboard/client/render.ts";
import { summarizeTest } from "../../../src/orchestrator/test-summary.ts";
import { counts, testView } from "../cli/fixtures.ts";

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();

describe("dashboard panels", () => {
  test("tiles show the rate now while running and the sent share of the expected total", () => {
    const view = testView({ state: "running", total: counts(250) });
    view.metrics.requests_per_s = 321;
    const html = renderTiles(view);
    expect(html).toContain('data-testid="stat-rps">321<');
    expect(html).toContain('data-testid="stat-sent">250<');
    expect(text(html)).toContain("sent of 1,000");
  });

  test("the driver table has a row per driver with counts by class", () => {
    const view = testView();
    view.per_driver[0]!.counts = counts(500, { status_2xx: 490, status_4xx: 10 });
    const html = renderDriverTable(view);
    expect(html.match(/<tr data-driver=/g)!.length).toBe(2);
    expect(html).toContain('<td class="num-bad">10</td>');
  });

  test("the errors panel lists classes and what went wrong", () => {
    const view = testView({ state: "partial", error: "not every driver finished (d2: dead)", total: counts(10, { timeout: 2 }) });
    view.per_driver[1]!.error = "rejected: bad <url>";
    const out = text(renderErrors(view));
    expect(out).toContain("timeouts 2");
    expect(out).toContain("not every driver finished (d2: dead)");
    expect(out).toContain("d2: rejected: bad &#60;url&#62;");
    expect(text(renderErrors(testView()))).toContain("No errors.");
  });

  test("the summary carries the final figures", () => {
    const html = renderSummary(testView());
    expect(html).toContain('data-summary="sent">1,000<');
    expect(html).toContain('data-summary="p99">9.00 ms<');
    expect(html).toContain('data-summary="state">done<');
  });

  test("nodes are listed alive first with their health; history highlights the shown test", () => {
    const base = { node_IP: "10.0.0.2", version: "0.1.0", status_since: 0, first_seen_at: 0, driver_state: "idle" as const, current_test_id: null, last_test_id: null, requests_sent: 7, history: [] };
    const html = renderNodes([{ ...base, node_id: "b", status: "dead", last_heartbeat_at: 0 }, { ...base, node_id: "a", status: "alive", last_heartbeat_at: 9_000 }], 10_000);
    expect([...html.matchAll(/data-node="(\w+)" data-status="(\w+)"/g)].map((m) => `${m[1]}:${m[2]}`)).toEqual(["a:alive", "b:dead"]);
    const view = testView();
    const history = renderHistory([summarizeTest(view)], view.test_id);
    expect(history).toContain('class="clickable selected"');
    expect(renderNodes([], 0)).toContain("No driver has registered yet");
  });

  test("summary-only drivers are marked in the driver table, and mean and median carry a * with how they were combined", () => {
    const view = testView();
    view.per_driver[1]!.summary_only = true;
    view.metrics.latency_combined = { summary_only: ["d2"], mean: "unweighted mean of the per-driver means", median: "median of the per-driver medians", min_max: "exact", quantiles: "p99 from d1 only" };
    const table = text(renderDriverTable(view));
    expect(table).toContain("summary only");
    expect(table).toContain("* includes summary-only drivers (d2): mean is the unweighted mean of the per-driver means; median is the median of the per-driver medians");
    expect(renderSummary(view)).toContain("<dt>mean *</dt>");
    expect(text(renderTiles(view))).toContain("median latency *");
    expect(text(renderDriverTable(testView()))).not.toContain("summary");
  });
});
