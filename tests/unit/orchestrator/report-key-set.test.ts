import { describe, expect, test } from "bun:test";
import { reportId } from "../../../src/driver/test-stats.ts";
import { ReportKeySet } from "../../../src/orchestrator/report-key-set.ts";
import { reportKey } from "../../../src/protocol/index.ts";
import { rng } from "../../helpers/rng.ts";

describe("report keys kept as ranges of sequences", () => {
  for (const seed of [1, 2, 3]) {
    test(`answers exactly as a set of every key would, for shuffled, replayed, lost and foreign keys (seed ${seed})`, () => {
      const r = rng(seed);
      const keys: string[] = [];
      // Two processes of d1 (a twin), d2 without an instance, and a brief-only driver with its own ids.
      for (let seq = 0; seq < 400; seq++) {
        if (r() < 0.03) continue; // lost: never arrives
        keys.push(reportKey({ report_id: reportId("d1", "t1", seq, "i-1"), instance_id: "i-1" }));
        keys.push(reportKey({ report_id: reportId("d1", "t1", seq, "i-2"), instance_id: "i-2" }));
        keys.push(reportKey({ report_id: reportId("d2", "t1", seq) }));
        if (seq % 10 === 0) keys.push(`brief-${seq}-${Math.floor(r() * 1e9)}`);
      }
      // Keys that look numbered but are not the canonical number (a leading zero), and odd ones.
      keys.push("d9:t1:007", "d9:t1:7", "d9:t1:", ":5", "5");
      // Delivered shuffled within a few places, some twice.
      const order = keys.map((k, i) => [i + r() * 30, k] as const).sort((a, b) => a[0] - b[0]).flatMap(([, k]) => (r() < 0.05 ? [k, k] : [k]));
      const set = new ReportKeySet();
      const reference = new Set<string>();
      const probes = [...keys, "d1:i-1:t1:400", "d2:t1:-1", "d2:t1:1.5", "brief-x", "d9:t1:07"];
      for (const [i, key] of order.entries()) {
        expect(set.has(key)).toBe(reference.has(key));
        set.add(key);
        reference.add(key);
        if (i % 97 === 0) for (const probe of probes) expect(set.has(probe)).toBe(reference.has(probe));
      }
      for (const probe of probes) expect(set.has(probe)).toBe(reference.has(probe));
      // Every key in, yet held as a few ranges per process (one per lost report) and the foreign keys.
      expect(reference.size).toBeGreaterThan(1_000);
      expect(set.footprint).toBeLessThan(reference.size / 10);
    });
  }

  test("an in-order stream of a day of one driver's reports is one range", () => {
    const set = new ReportKeySet();
    for (let seq = 0; seq < 86_400; seq++) set.add(`h1x:${seq}`);
    expect(set.footprint).toBe(1);
    expect([set.has("h1x:0"), set.has("h1x:86399"), set.has("h1x:86400")]).toEqual([true, true, false]);
  });
});
