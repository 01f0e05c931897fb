import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkReportMac, loadReportKey, newReportKeyText, reportMac } from "../../../src/security/report-mac.ts";

const key = new Uint8Array(32).fill(7);
const report = { node_id: "d1", test_id: "t1", report_id: "r1", metrics: { mean_latency: 1.5, median_latency: 1, min_latency: 0.5, max_latency: 9 } };

describe("report MAC", () => {
  test("accepts its own MAC, refuses a missing one, another key's, and a changed report", () => {
    const mac = reportMac(key, report);
    expect(checkReportMac(key, { ...report, report_mac: mac })).toBe("ok");
    expect(checkReportMac(key, report)).toBe("unsigned");
    expect(checkReportMac(new Uint8Array(32).fill(8), { ...report, report_mac: mac })).toBe("bad_mac");
    expect(checkReportMac(key, { ...report, node_id: "d2", report_mac: mac })).toBe("bad_mac");
  });

  test("loads a keygen report key and refuses a short or non-hex one, naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "lt-report-key-"));
    writeFileSync(join(dir, "good"), newReportKeyText());
    writeFileSync(join(dir, "short"), "abcd\n");
    expect(loadReportKey(join(dir, "good")).byteLength).toBe(32);
    expect(() => loadReportKey(join(dir, "short"))).toThrow(`report key ${join(dir, "short")}: expected at least 64 hex digits`);
  });
});
