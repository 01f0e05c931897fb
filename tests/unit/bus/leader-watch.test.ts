import { describe, expect, test } from "bun:test";
import { LeaderWatch, leadersReachable, type LeaderMetadata } from "../../../src/bus/leader-watch.ts";

const brokers = new Map([
  [1, "b1:9092"],
  [2, "b2:9092"],
  [3, "b3:9092"],
]);

describe("leadersReachable", () => {
  test("is true only when every partition has a leader that answers", () => {
    const metadata: LeaderMetadata = { leaders: [1, 2, 3, 1], brokers };
    expect(leadersReachable(metadata, new Set([1, 2, 3]))).toBe(true);
    expect(leadersReachable(metadata, new Set([1, 3]))).toBe(false);
    expect(leadersReachable({ leaders: [1, -1], brokers }, new Set([1, 2, 3]))).toBe(false);
    expect(leadersReachable({ leaders: [], brokers }, new Set())).toBe(true);
  });
});

describe("LeaderWatch", () => {
  function setup() {
    let now = 1_000;
    let leaders = [1, 2, 3];
    const down = new Set<string>();
    let failMetadata = false;
    const watch = new LeaderWatch({
      now: () => now,
      metadata: async () => {
        if (failMetadata) throw new Error("no broker answered");
        return { leaders, brokers };
      },
      probe: async (address) => !down.has(address),
    });
    return {
      watch,
      advance: (ms: number) => (now += ms),
      setLeaders: (l: number[]) => (leaders = l),
      kill: (address: string) => down.add(address),
      failMetadata: (fail: boolean) => (failMetadata = fail),
      now: () => now,
    };
  }

  test("follows the clock while every leader answers", async () => {
    const s = setup();
    expect(await s.watch.check()).toBe(true);
    s.advance(5_000);
    expect(s.watch.healthyThrough()).toBe(s.now());
  });

  test("stops at the last good check while a killed broker still leads a partition, and resumes once another leads it", async () => {
    const s = setup();
    await s.watch.check();
    const lastGood = s.now();
    s.advance(500);
    s.kill("b2:9092");
    expect(await s.watch.check()).toBe(false);
    s.advance(6_000);
    expect(s.watch.healthyThrough()).toBe(lastGood);
    // The controller fenced node 2 and moved its partitions.
    s.setLeaders([1, 3, 3]);
    expect(await s.watch.check()).toBe(true);
    expect(s.watch.healthyThrough()).toBe(s.now());
  });

  test("counts a leaderless partition or a failed metadata request as leaders missing", async () => {
    const s = setup();
    s.setLeaders([1, -1, 3]);
    expect(await s.watch.check()).toBe(false);
    s.setLeaders([1, 2, 3]);
    s.failMetadata(true);
    expect(await s.watch.check()).toBe(false);
    s.failMetadata(false);
    expect(await s.watch.check()).toBe(true);
  });
});
