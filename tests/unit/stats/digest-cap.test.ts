import { describe, expect, test } from "bun:test";
import { capDigest } from "../../../src/stats/digest-cap.ts";
import { createDigest, mergeDigest, serializeDigest } from "../../../src/stats/digest.ts";

describe("capDigest", () => {
  test("keeps a small digest as it is and bounds a large one, with its weight and p99 kept", () => {
    const digest = createDigest();
    for (let i = 1; i <= 100_000; i++) digest.push((i * 7919) % 100_000);
    const full = serializeDigest(digest);
    const capped = capDigest(full, 100);
    const again = createDigest();
    mergeDigest(again, capped);
    const weight = (d: { counts: number[] }) => d.counts.reduce((a, b) => a + b, 0);
    const p99 = again.percentile(0.99) as number;
    expect({ same: capDigest(full, full.means.length) === full, bounded: capped.means.length <= 100, weight: weight(capped), p99Near: Math.abs(p99 - 99_000) < 1_000 }).toEqual({
      same: true,
      bounded: true,
      weight: 100_000,
      p99Near: true,
    });
  });
});
