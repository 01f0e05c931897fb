import { describe, expect, test } from "bun:test";
import { ReplayGuard } from "../../../src/security/replay-guard.ts";

const T0 = 1_800_000_000_000;
const config = (issued_at: number, fields: Record<string, unknown> = {}) => ({ test_id: "t1", test_type: "AVALANCHE", message_count_per_driver: 10, issued_at, signature: `s${issued_at}`, ...fields });
const verdict = (v: { ok: boolean; reason?: string }) => (v.ok ? "ok" : v.reason);

describe("ReplayGuard", () => {
  test("accepts the same configuration re-sent (re-signed) before its trigger, refuses one long after it", () => {
    const guard = new ReplayGuard(T0);
    expect(verdict(guard.check("test_config", config(T0 + 1), T0 + 1))).toBe("ok");
    expect(verdict(guard.check("test_config", config(T0 + 50), T0 + 50))).toBe("ok");
    expect(verdict(guard.check("trigger", { test_id: "t1", issued_at: T0 + 51 }, T0 + 51))).toBe("ok");
    expect(verdict(guard.check("test_config", config(T0 + 60), T0 + 60))).toBe("ok");
    expect(verdict(guard.check("test_config", config(T0 + 30_052), T0 + 30_052))).toBe("replay");
  });

  test("a trigger that overtakes its configuration (another topic) does not get the configuration refused", () => {
    const guard = new ReplayGuard(T0);
    expect(verdict(guard.check("trigger", { test_id: "t1", issued_at: T0 + 2 }, T0 + 5))).toBe("ok");
    expect(verdict(guard.check("test_config", config(T0 + 1), T0 + 900))).toBe("ok");
  });

  test("refuses a second trigger for a test, and a different configuration under a known test id", () => {
    const guard = new ReplayGuard(T0);
    guard.check("test_config", config(T0), T0);
    expect(verdict(guard.check("test_config", config(T0 + 1, { message_count_per_driver: 11 }), T0 + 1))).toBe("replay");
    expect(verdict(guard.check("trigger", { test_id: "t1", issued_at: T0 + 2 }, T0 + 2))).toBe("ok");
    expect(verdict(guard.check("trigger", { test_id: "t1", issued_at: T0 + 2 }, T0 + 3))).toBe("replay");
  });

  test("stops are idempotent: repeated ones are never replays", () => {
    const guard = new ReplayGuard(T0);
    const stop = { test_id: "t1", issued_at: T0 };
    expect([guard.check("stop", stop, T0), guard.check("stop", stop, T0 + 1)].map(verdict)).toEqual(["ok", "ok"]);
  });

  test("refuses a command issued before the driver started, beyond the clock skew", () => {
    const guard = new ReplayGuard(T0, 30_000);
    expect(verdict(guard.check("trigger", { test_id: "a", issued_at: T0 - 29_000 }, T0))).toBe("ok");
    expect(verdict(guard.check("trigger", { test_id: "b", issued_at: T0 - 31_000 }, T0))).toBe("replay");
  });

  test("forgets ids once their commands would be expired anyway, and stays bounded", () => {
    const guard = new ReplayGuard(T0, 0, 1_000, 2);
    guard.check("trigger", { test_id: "a", issued_at: T0 }, T0);
    expect(verdict(guard.check("trigger", { test_id: "a", issued_at: T0 + 500 }, T0 + 500))).toBe("replay");
    expect(verdict(guard.check("trigger", { test_id: "a", issued_at: T0 + 1_500 }, T0 + 1_500))).toBe("ok");
    for (const id of ["b", "c", "d"]) guard.check("trigger", { test_id: id, issued_at: T0 + 1_600 }, T0 + 1_600);
    expect(verdict(guard.check("trigger", { test_id: "b", issued_at: T0 + 1_600 }, T0 + 1_600))).toBe("ok");
  });
});
