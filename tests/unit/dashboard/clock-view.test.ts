import { describe, expect, test } from "bun:test";
import { formatSummary } from "../../../src/cli/summary.ts";
import { formatClock } from "../../../src/dashboard/client/clock-format.ts";
import { renderErrors, renderNodes } from "../../../src/dashboard/client/render.ts";
import { nodeClockOf } from "../../../src/orchestrator/node-clock.ts";
import type { NodeView } from "../../../src/orchestrator/registry.ts";
import { testView } from "../cli/fixtures.ts";

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
const clockOf = (offset: number | undefined, uncertainty: number | undefined, correction: boolean) =>
  nodeClockOf({ node_id: "x", heartbeat: "YES", timestamp: 0, clock_offset_ms: offset, clock_uncertainty_ms: uncertainty, clock_correction: correction });

describe("clock offsets in the dashboard and the CLI", () => {
  test("formatClock shows the sign, the uncertainty, and an uncorrected driver", () => {
    expect(formatClock(undefined)).toBe("–");
    expect(formatClock(clockOf(undefined, undefined, true))).toBe("measuring…");
    expect(formatClock(clockOf(1_497.04, 5, true))).toBe("+1497 ms ±5");
    expect(formatClock(clockOf(-1_496.5, 9.5, false))).toBe("−1496.5 ms ±9.5 (uncorrected)");
  });

  test("a node's clock shows on its card, flagged with the reason when it is off", () => {
    const base: NodeView = { node_id: "a", node_IP: "10.0.0.2", version: null, status: "alive", status_since: 0, first_seen_at: 0, last_heartbeat_at: 0, driver_state: "idle", current_test_id: null, last_test_id: null, requests_sent: 0, history: [] };
    const fine = renderNodes([{ ...base, clock: clockOf(2, 1, true)! }], 0);
    expect(text(fine)).toContain("clock +2 ms ±1");
    expect(fine).not.toContain("flagged");
    const off = renderNodes([{ ...base, clock: clockOf(1_500, 2, false)! }], 0);
    expect(off).toContain('class="node-clock flagged"');
    expect(off).toContain('title="clock 1500 ms behind the orchestrator&#39;s (more than 50 ms); clock correction off');
  });

  test("a test's clock warnings show in the dashboard's test view and the CLI summary", () => {
    const view = { ...testView(), warnings: ["d2: clock 1500 ms behind the orchestrator's (more than 50 ms): its starts are corrected"] };
    expect(text(renderErrors(view))).toContain("d2: clock 1500 ms behind the orchestrator&#39;s (more than 50 ms): its starts are corrected");
    expect(formatSummary(view)).toContain("  warning: d2: clock 1500 ms behind the orchestrator's (more than 50 ms): its starts are corrected\n");
    expect(formatSummary(testView())).not.toContain("warning:");
  });
});
