import { describe, expect, test } from "bun:test";
import { createDigest, mergeDigest, serializeDigest } from "../../../src/stats/digest.ts";
import { digestFromState, digestState } from "../../../src/stats/digest-state.ts";

/** A deterministic pseudo-random generator (mulberry32), so a failure reproduces. */
const rng = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

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

  test("keeps the stale cumulative caches: the same centroids with fresh caches merge later windows differently", () => {
    let differed = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const r = rng(seed);
      const live = createDigest();
      for (let i = 0; i < 40; i++) mergeDigest(live, windowOf(r, 500));
      const state = digestState(live);
      // The same centroids with freshly cumulated caches (what a rebuild without them would have).
      let cum = 0;
      const meanCumn = state.n.map((n) => ((cum += n), cum - n / 2));
      const cumn = state.n.map((n, i) => meanCumn[i]! + n / 2);
      const fresh = digestFromState({ ...state, cumn, mean_cumn: meanCumn, last_cumulate: state.total });
      const exact = digestFromState(state);
      for (let i = 0; i < 5; i++) {
        const w = windowOf(r, 500);
        for (const d of [live, exact, fresh]) mergeDigest(d, w);
      }
      expect(digestState(exact)).toEqual(digestState(live));
      if (JSON.stringify(digestState(fresh).mean) !== JSON.stringify(digestState(live).mean)) differed++;
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
