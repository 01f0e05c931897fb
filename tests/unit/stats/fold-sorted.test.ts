import { expect, test } from "bun:test";
import { createDigest, serializeDigest } from "../../../src/stats/digest.ts";
import { foldSorted, LatencyRecorder, RECORD_BUFFER_MAX } from "../../../src/stats/latency-recorder.ts";

test("a small sorted batch enters the digest one value a centroid, as push would", () => {
  const folded = createDigest();
  foldSorted(folded, Float64Array.from([1, 2, 2, 3, 7]));
  const pushed = createDigest();
  [1, 2, 2, 3, 7].forEach((x) => pushed.push(x));
  expect(serializeDigest(folded)).toEqual(serializeDigest(pushed));
});

test("a large batch becomes a few hundred centroids that keep every value's weight", () => {
  const n = 100_000;
  const digest = createDigest();
  foldSorted(digest, Float64Array.from({ length: n }, (_, i) => i / 100));
  const { counts } = serializeDigest(digest);
  expect({ weight: counts.reduce((a, b) => a + b, 0), few: counts.length < 1_000 }).toEqual({ weight: n, few: true });
});

test("a window larger than the buffer is folded in batches and none of its latencies is lost", () => {
  const recorder = new LatencyRecorder();
  const n = RECORD_BUFFER_MAX * 2 + 17;
  for (let i = 0; i < n; i++) recorder.record(1 + (i % 1000) / 1000);
  const window = recorder.closeWindow();
  const weight = window.digest.counts.reduce((a, b) => a + b, 0);
  expect({ weight, count: window.exact.count, median: Math.round(recorder.totalSummary().median_latency * 100) / 100 }).toEqual({ weight: n, count: n, median: 1.5 });
});
