import { describe, expect, test } from "bun:test";
import { evaluateTest, newParticipant, type ParticipantStatus } from "../../../src/orchestrator/test-state.ts";

const T0 = 1_700_000_000_000;
const options = { stallAfterMs: 15_000, leftGraceMs: 2_000 };
const status = (nodeId: string, over: Partial<ParticipantStatus> = {}): ParticipantStatus => ({
  participant: newParticipant(nodeId, T0),
  final: false,
  reported: true,
  node_status: "alive",
  status_since: T0,
  ...over,
});

describe("evaluateTest", () => {
  test("a created test waits for its trigger", () => {
    expect(evaluateTest("created", [status("d1")], T0, options)).toEqual({ ended: false, outcomes: { d1: "waiting" } });
  });

  test("a running test is done once every participant sent its final report", () => {
    expect(evaluateTest("running", [status("d1", { final: true }), status("d2")], T0, options).ended).toBe(false);
    expect(evaluateTest("running", [status("d1", { final: true }), status("d2", { final: true })], T0, options)).toEqual({
      ended: true,
      state: "done",
      error: null,
      outcomes: { d1: "final", d2: "final" },
    });
  });

  test("ends partial when a participant died and the survivors finished", () => {
    const result = evaluateTest("running", [status("d1", { final: true }), status("d2", { node_status: "dead" })], T0, options);
    expect(result).toMatchObject({ ended: true, state: "partial", outcomes: { d1: "final", d2: "dead" } });
  });

  test("waits for a participant that left until the grace period is over", () => {
    const left = status("d2", { node_status: "left", status_since: T0 });
    expect(evaluateTest("running", [status("d1", { final: true }), left], T0 + 1_999, options).ended).toBe(false);
    expect(evaluateTest("running", [status("d1", { final: true }), left], T0 + 2_000, options)).toMatchObject({ ended: true, state: "partial" });
  });

  test("gives up on a live participant that stays silent about the test", () => {
    const silent = status("d2");
    expect(evaluateTest("running", [status("d1", { final: true }), silent], T0 + 15_000, options).ended).toBe(false);
    expect(evaluateTest("running", [status("d1", { final: true }), silent], T0 + 15_001, options)).toMatchObject({
      ended: true,
      state: "partial",
      outcomes: { d2: "stalled" },
    });
  });

  test("fails when every participant rejected the configuration, listing their errors", () => {
    const rejected = (id: string) => {
      const s = status(id, { reported: false });
      s.participant.rejected = { error: `busy on ${id}`, issues: [] };
      return s;
    };
    const result = evaluateTest("created", [rejected("d1"), rejected("d2")], T0, options);
    expect(result).toMatchObject({ ended: true, state: "failed" });
    expect(result.ended && result.error).toBe("every driver rejected the test (d1: busy on d1; d2: busy on d2)");
  });

  test("fails when every participant died before reporting anything", () => {
    const gone = [status("d1", { node_status: "dead", reported: false }), status("d2", { node_status: undefined, reported: false })];
    expect(evaluateTest("running", gone, T0, options)).toMatchObject({ ended: true, state: "failed" });
  });
});

describe("summary-only drivers (the brief's four latency figures, never a final report)", () => {
  const quiet = { ...options, summaryQuietMs: 5_000 };
  const brief = (over: Partial<ParticipantStatus> = {}) => status("b1", { summary_only: true, last_report_at: T0, ...over });

  test("finish once their reports stopped for the quiet period while they still heartbeat, and the test ends done", () => {
    expect(evaluateTest("running", [status("d1", { final: true }), brief()], T0 + 4_999, quiet)).toEqual({ ended: false, outcomes: { d1: "final", b1: "running" } });
    expect(evaluateTest("running", [status("d1", { final: true }), brief()], T0 + 5_000, quiet)).toEqual({
      ended: true,
      state: "done",
      error: null,
      outcomes: { d1: "final", b1: "final" },
    });
  });

  test("a quiet one that no longer heartbeats is dead, not finished; a detailed driver's quiet is never taken for an end", () => {
    expect(evaluateTest("running", [brief({ node_status: "dead" })], T0 + 6_000, quiet).outcomes).toEqual({ b1: "dead" });
    expect(evaluateTest("running", [status("d1", { summary_only: false, last_report_at: T0 })], T0 + 6_000, quiet).outcomes).toEqual({ d1: "running" });
    expect(evaluateTest("created", [brief()], T0 + 6_000, quiet).outcomes).toEqual({ b1: "waiting" });
  });
});
