import { describe, expect, test } from "bun:test";
import { createDigest, mergeDigest, serializeDigest } from "../../../src/stats/digest.ts";
import { digestFromState, digestState } from "../../../src/stats/digest-state.ts";
import { rng } from "../../helpers/rng.ts";


/** One report window's digest: `n` latencies with a long tail. */
const windowOf = (r: () => number, n: number) => {
  const d = createDigest();
  for (let i = 0; i < n; i++) d.push(1 + r() * r() * 300);
  return serializeDigest(d);
};

const PS = [0, 0.5, 0.9, 0.95, 0.99, 0.999, 1];

describe("a digest's exact state", () => {
  test("round-trips through JSON to the same percentiles and goes on merging exactly as the original (the wire form does neither)", () => {
    const r = rng(42);
    const live = createDigest();
    for (let i = 0; i < 300; i++) mergeDigest(live, windowOf(r, 200 + Math.floor(r() * 800)));
    const restored = digestFromState(JSON.parse(JSON.stringify(digestState(live))));
    // Rebuilt from the wire form: rounded means, merged again by the capacity rule.
    const rewired = createDigest();
    mergeDigest(rewired, serializeDigest(live));
    expect(restored.percentile(PS)).toEqual(live.percentile(PS));
    expect(rewired.percentile(PS)).not.toEqual(live.percentile(PS));

    for (let i = 0; i < 300; i++) {
      const w = windowOf(r, 200 + Math.floor(r() * 800));
      mergeDigest(live, w);
      mergeDigest(restored, w);
    }
    expect(digestState(restored)).toEqual(digestState(live));
    expect(restored.percentile(PS)).toEqual(live.percentile(PS));
  });

  test("a percentile read between merges changes nothing: a digest read while it grew equals one rebuilt from the same windows", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const r = rng(seed);
      const windows = Array.from({ length: 60 }, () => windowOf(r, 200 + Math.floor(r() * 800)));
      const read = createDigest();
      const rebuilt = createDigest();
      for (const w of windows) {
        mergeDigest(read, w);
        read.percentile(PS);
      }
      for (const w of windows) mergeDigest(rebuilt, w);
      expect(digestState(rebuilt)).toEqual(digestState(read));
    }
  });

  test("without a cumulation after each merge, a read between pushes changes later merges (why mergeDigest cumulates)", () => {
    let differed = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const r = rng(seed);
      const windows = Array.from({ length: 60 }, () => windowOf(r, 500));
      const read = createDigest();
      const unread = createDigest();
      for (const w of windows) {
        for (let i = 0; i < w.means.length; i++) {
          read.push_centroid({ mean: w.means[i]!, n: w.counts[i]! });
          unread.push_centroid({ mean: w.means[i]!, n: w.counts[i]! });
        }
        read.percentile(0.5);
      }
      if (JSON.stringify(digestState(read).mean) !== JSON.stringify(digestState(unread).mean)) differed++;
    }
    expect(differed).toBeGreaterThan(0);
  });

  test("an empty digest round-trips", () => {
    const restored = digestFromState(JSON.parse(JSON.stringify(digestState(createDigest()))));
    expect(restored.size()).toBe(0);
    mergeDigest(restored, { means: [5], counts: [2] });
    expect(restored.percentile(0.5)).toBe(5);
  });
});
