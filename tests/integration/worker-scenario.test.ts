/**
 * A scenario on send workers (`--workers`): each worker builds its own RequestSource with the
 * driver's node id, and its share's sends carry the test's seqs (worker k of n: k, k+n, ...),
 * so together the workers send every seq exactly once. The worker entry has stub hooks
 * (tests/fixtures/stub-scenario-worker.ts); the target is a local Bun server.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { silentLogger } from "../../src/log.ts";
import type { RunPlan } from "../../src/driver/run-plan.ts";
import { TestStats } from "../../src/driver/test-stats.ts";
import { WorkerLoop } from "../../src/driver/worker-loop.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; spawns Bun Workers.
setDefaultTimeout(60_000);

const seen: string[] = [];
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(req) {
    const query = new URL(req.url).searchParams;
    seen.push(`${query.get("node")}:${query.get("seq")}`);
    return new Response("ok");
  },
});
afterAll(() => void server.stop(true));

describe("a scenario on send workers", () => {
  test("three workers send the test's seqs 0..89 exactly once between them, each with the driver's node id", async () => {
    const count = 90;
    const plan: RunPlan = {
      testId: "ws", mode: "AVALANCHE", url: `http://127.0.0.1:${server.port}/`, count, delayMs: 0, concurrency: 6, timeoutMs: 10_000,
      requests: [{ name: "get", method: "GET", url: `http://127.0.0.1:${server.port}/items`, headers: [], body: null, weight: 1, checks: { status: [200] } }],
    };
    const stats = new TestStats({ nodeId: "d7", testId: "ws", paced: false, startedAtMs: Date.now(), epochOffsetMs: 0 });
    const loop = new WorkerLoop(
      plan,
      {
        stats,
        log: silentLogger,
        workers: 3,
        nodeId: "d7",
        pooled: true,
        keepRaw: false,
        onCrash: (reason) => void seen.push(`crash ${reason}`),
        spawn: () => new Worker(new URL("../fixtures/stub-scenario-worker.ts", import.meta.url).href),
      },
      performance.now(),
    );
    const result = await loop.start();
    expect({ result, ok: stats.counts.status_2xx, seen: seen.toSorted() }).toEqual({
      result: { sent: count, stopped: false },
      ok: count,
      seen: Array.from({ length: count }, (_, seq) => `d7:${seq}`).toSorted(),
    });
  });
});
