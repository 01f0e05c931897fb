// The banner over the dashboard while the Kafka bus is degraded: a pure function of the health.
import type { BusHealth } from "../../orchestrator/bus-health.ts";
import { escapeHtml as e, formatDuration, formatTimestamp } from "../../format/format.ts";

/** The banner's HTML for a degraded bus, or "" (banner hidden) while it is healthy or unknown. */
export function renderBusBanner(health: BusHealth | null | undefined): string {
  if (!health || health.status === "ok") return "";
  const lines = health.topics.map(
    (t) => `<li data-topic="${e(t.topic)}"><b>${e(t.topic)}</b> ${e(t.condition)} since ${e(formatTimestamp(t.since))}: ${e(t.reason)}</li>`,
  );
  if (!health.receiving) {
    lines.push(`<li data-topic="">nothing received since ${e(formatTimestamp(health.not_receiving_since))}: driver liveness is on hold until the bus receives again</li>`);
  }
  const rule = health.topics.length > 0 ? ` A running test fails once a topic stays degraded for ${e(formatDuration(health.fail_tests_after_ms))}.` : "";
  return `<strong>Kafka bus degraded.</strong> The bus repairs itself (recreates deleted topics, resubscribes).${rule}<ul>${lines.join("")}</ul>`;
}
