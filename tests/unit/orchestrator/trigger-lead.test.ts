import { describe, expect, test } from "bun:test";
import { TRIGGER_LEAD_MAX_MS, triggerLeadMs } from "../../../src/orchestrator/trigger-lead.ts";

describe("trigger lead", () => {
  test("the base up to 8 drivers, plus the per-driver lead for each driver beyond them, capped", () => {
    expect(triggerLeadMs(250, 10, 1)).toBe(250);
    expect(triggerLeadMs(250, 10, 0)).toBe(250);
    expect(triggerLeadMs(250, 10, 8)).toBe(250);
    expect(triggerLeadMs(250, 10, 9)).toBe(260);
    expect(triggerLeadMs(250, 10, 64)).toBe(810);
    expect(triggerLeadMs(250, 10, 1_000)).toBe(TRIGGER_LEAD_MAX_MS);
  });

  test("a base above the cap is kept; a per-driver lead of 0 (or less) keeps the base", () => {
    expect(triggerLeadMs(5_000, 10, 64)).toBe(5_000);
    expect(triggerLeadMs(250, 0, 64)).toBe(250);
    expect(triggerLeadMs(250, -5, 64)).toBe(250);
  });
});
