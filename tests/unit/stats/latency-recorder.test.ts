import { expect, test } from "bun:test";
import { LatencyRecorder } from "../../../src/stats/latency-recorder.ts";

const weight = (digest: { counts: number[] }) => digest.counts.reduce((a, b) => a + b, 0);

test("closes windows that restart empty while the total keeps every latency", () => {
  const recorder = new LatencyRecorder();
  [5, 1, 3].forEach((ms) => recorder.record(ms));
  const first = recorder.closeWindow();
  recorder.record(10);
  const second = recorder.closeWindow();
  expect(first.exact).toEqual({ count: 3, sum: 9, min: 1, max: 5 });
  expect(second.exact).toEqual({ count: 1, sum: 10, min: 10, max: 10 });
  expect([weight(first.digest), weight(second.digest), weight(recorder.totalDigest())]).toEqual([3, 1, 4]);
  expect(recorder.totalSummary()).toMatchObject({ mean_latency: 4.75, min_latency: 1, max_latency: 10 });
});

test("estimates the median of many windows within 1% of the exact one", () => {
  const recorder = new LatencyRecorder();
  const all: number[] = [];
  let x = 1;
  for (let w = 0; w < 20; w++) {
    for (let i = 0; i < 5_000; i++) {
      x = (x * 16807) % 2147483647;
      // Long-tailed, like real latencies.
      const ms = 1 + 50 * (x / 2147483647) ** 3 + w * 0.1;
      recorder.record(ms);
      all.push(ms);
    }
    recorder.closeWindow();
  }
  all.sort((a, b) => a - b);
  const exactMedian = (all[49_999]! + all[50_000]!) / 2;
  expect(Math.abs(recorder.totalSummary().median_latency - exactMedian) / exactMedian).toBeLessThan(0.01);
});
