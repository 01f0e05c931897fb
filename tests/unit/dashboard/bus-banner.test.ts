import { expect, test } from "bun:test";
import { renderBusBanner } from "../../../src/dashboard/client/bus-banner.ts";
import { busHealthOf } from "../../../src/orchestrator/bus-health.ts";
import { dashboardPage } from "../../../src/orchestrator/http/dashboard.ts";

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
const T0 = Date.UTC(2026, 10, 30, 1, 0, 0);

test("the banner is hidden while the bus is healthy and names each degraded topic, its condition and the failure rule otherwise", () => {
  expect(renderBusBanner(busHealthOf([], null, 30_000))).toBe("");
  expect(renderBusBanner(undefined)).toBe("");
  const html = renderBusBanner(busHealthOf([{ topic: "metrics", condition: "missing", since: T0, reason: "topic <p>metrics does not exist; recreating it" }], null, 30_000));
  expect(html).toContain('data-topic="metrics"');
  expect(html).toContain("&#60;p&#62;metrics");
  expect(text(html)).toContain("Kafka bus degraded.");
  expect(text(html)).toContain("metrics missing since");
  expect(text(html)).toContain("A running test fails once a topic stays degraded for 30.0 s.");
});

test("a bus that receives nothing is shown as such, without the failure rule (an outage only holds liveness)", () => {
  const out = text(renderBusBanner(busHealthOf([], T0, 30_000)));
  expect(out).toContain("nothing received since");
  expect(out).not.toContain("A running test fails");
});

test("the page has the banner element, hidden until the bus is degraded", () => {
  expect(dashboardPage({ tokenRequired: false })).toContain('<div id="bus-banner" class="banner banner-bad" role="alert" data-testid="bus-banner" hidden></div>');
});
