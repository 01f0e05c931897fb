import { afterEach, describe, expect, test } from "bun:test";
import { applyReport, createAggregate } from "../../../src/orchestrator/aggregate.ts";
import { driverLatency, fleetLatency, latencyCombination } from "../../../src/orchestrator/aggregate-latency.ts";
import { decode } from "../../../src/protocol/index.ts";
import { waitFor } from "../../helpers/wait.ts";
import { FakeDriverReports, spread, startHarness, T0 } from "./fixtures.ts";

/** A report exactly as the brief writes it: four latency figures as strings, nothing else. */
const briefReport = (nodeId: string, reportId: string, [mean, median, min, max]: string[]) => {
  const decoded = decode("metrics", JSON.stringify({ node_id: nodeId, test_id: "t1", report_id: reportId, metrics: { mean_latency: mean, median_latency: median, min_latency: min, max_latency: max } }));
  if (!decoded.ok) throw new Error(decoded.error);
  return decoded.value;
};

describe("the brief's heartbeat at the edge", () => {
  test("is accepted without a timestamp, and with one as a string of seconds", () => {
    expect([decode("heartbeat", '{"node_id":"b1","heartbeat":"YES"}'), decode("heartbeat", '{"node_id":"b1","heartbeat":"yes","timestamp":"1764000000"}')]).toEqual([
      { ok: true, value: { node_id: "b1", heartbeat: "YES" } },
      { ok: true, value: { node_id: "b1", heartbeat: "YES", timestamp: 1_764_000_000_000 } },
    ]);
  });
});

describe("fleet latency with summary-only drivers", () => {
  test("min and max include theirs exactly; mean and median are combined per driver, and say so", () => {
    const agg = createAggregate(["d1", "b1"]);
    const d1 = new FakeDriverReports("d1", "t1");
    applyReport(agg, d1.window(spread(100, 10, 20), { final: true }), T0);
    applyReport(agg, briefReport("b1", "r1", ["40", "35", "2.5", "300"]), T0);
    applyReport(agg, briefReport("b1", "r2", ["50", "45", "3.5", "900.25"]), T0 + 1000);
    const latency = fleetLatency(agg)!;
    const own = driverLatency(agg.drivers.get("d1")!);
    expect({ min: latency.min_latency, max: latency.max_latency, mean: latency.mean_latency, median: latency.median_latency, p90: latency.p90_latency }).toEqual({
      min: 3.5, // b1's newest report: its whole test so far
      max: 900.25,
      mean: Math.round(((own.mean_latency + 50) / 2) * 1000) / 1000,
      median: Math.round(((own.median_latency + 45) / 2) * 1000) / 1000,
      p90: own.p90_latency, // from the drivers that sent digests only
    });
    expect(latencyCombination(agg)).toMatchObject({ summary_only: ["b1"], mean: expect.stringContaining("unweighted mean of the per-driver means") });
  });

  test("without summary-only drivers the figures are the merged ones and nothing is said", () => {
    const agg = createAggregate(["d1"]);
    applyReport(agg, new FakeDriverReports("d1", "t1").window(spread(100, 10, 20)), T0);
    expect({ combined: latencyCombination(agg), min: fleetLatency(agg)!.min_latency }).toEqual({ combined: null, min: 10 });
  });
});

describe("a brief-only driver in a test (memory bus)", () => {
  let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  test("stays alive on heartbeats without timestamp, its figures are shown as reported, and the test ends done after its quiet period", async () => {
    harness = await startHarness({ ids: ["t1"] });
    const { orchestrator, drivers, clock, join, report } = harness;
    await join("d1");
    await drivers.publishRaw("register", JSON.stringify({ node_id: "b1", node_IP: "10.0.0.2", message_type: "DRIVER_NODE_REGISTER" }));
    const beatB1 = async () => {
      await drivers.publishRaw("heartbeat", JSON.stringify({ node_id: "b1", heartbeat: "YES" }));
      await drivers.publish("heartbeat", { node_id: "d1", heartbeat: "YES", timestamp: clock.now() });
      const at = clock.now();
      await waitFor("both beats to land", () => orchestrator.listNodes().every((n) => n.last_heartbeat_at === at));
    };
    await beatB1();
    await orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 100, target_url: "http://127.0.0.1:8080/ping", trigger: true });
    await report(new FakeDriverReports("d1", "t1").window(spread(100, 10, 20), { final: true }));
    await report(briefReport("b1", "r1", ["12.5", "11.2", "3.1", "85.0"]));
    for (let i = 0; i < 4; i++) {
      clock.advance(1000);
      await beatB1();
      orchestrator.tick();
    }
    expect(orchestrator.getTest("t1")!.state).toBe("running");
    for (let i = 0; i < 2; i++) {
      clock.advance(1000);
      await beatB1();
      orchestrator.tick();
    }
    const ended = orchestrator.getTest("t1")!;
    const b1 = ended.per_driver.find((d) => d.node_id === "b1")!;
    expect({
      state: ended.state,
      nodes: orchestrator.listNodes().map((n) => `${n.node_id}:${n.status}`),
      b1: { outcome: b1.outcome, summary_only: b1.summary_only, latency: b1.latency, completed: b1.counts.completed },
      fleet: { min: ended.metrics.latency!.min_latency, max: ended.metrics.latency!.max_latency, combined: ended.metrics.latency_combined?.summary_only },
    }).toEqual({
      state: "done",
      nodes: ["b1:alive", "d1:alive"],
      b1: { outcome: "final", summary_only: true, latency: { mean_latency: 12.5, median_latency: 11.2, min_latency: 3.1, max_latency: 85 }, completed: 0 },
      fleet: { min: 3.1, max: 85, combined: ["b1"] },
    });
  });
});
