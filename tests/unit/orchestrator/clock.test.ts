import { afterEach, describe, expect, test } from "bun:test";
import { ClockExchangeBook } from "../../../src/orchestrator/clock-exchange.ts";
import { clockWarnings, nodeClockOf } from "../../../src/orchestrator/node-clock.ts";
import { validate, type ClockMessage, type Heartbeat } from "../../../src/protocol/index.ts";
import { waitFor } from "../../helpers/wait.ts";
import { FakeDriverReports, spread, startHarness, T0 } from "./fixtures.ts";

const beat = (fields: Partial<Heartbeat> = {}): Heartbeat => ({ node_id: "d1", heartbeat: "YES", timestamp: T0, ...fields });

describe("ClockExchangeBook", () => {
  test("answers a new driver at once, then every interval, each heartbeat's (t1, t2) once", () => {
    const book = new ClockExchangeBook(2_000);
    expect(book.take(T0)).toBeNull();
    book.note("d1", T0 - 1_500, T0 + 3);
    expect(book.take(T0 + 250)).toEqual({ t3: T0 + 250, samples: [{ node_id: "d1", t1: T0 - 1_500, t2: T0 + 3 }] });
    book.note("d1", T0 - 500, T0 + 1_003);
    expect(book.take(T0 + 1_250)).toBeNull();
    // A second driver is new: answered at the next look, with d1's pending pair.
    book.note("d2", T0 + 1_100, T0 + 1_102);
    expect(book.take(T0 + 1_500)?.samples.map((s) => s.node_id)).toEqual(["d1", "d2"]);
    expect(book.take(T0 + 1_600)).toBeNull();
    book.note("d1", T0 + 2_500, T0 + 2_600);
    expect(book.take(T0 + 3_450)).toBeNull();
    expect(book.take(T0 + 3_500)?.samples).toEqual([{ node_id: "d1", t1: T0 + 2_500, t2: T0 + 2_600 }]);
  });
});

test("a clock message carries at most CLOCK_SAMPLES_MAX samples; the rest go in the next one", () => {
  const book = new ClockExchangeBook(2_000);
  for (let i = 0; i < 5_000; i++) book.note(`d${i}`, T0, T0 + 1);
  const first = book.take(T0 + 10)!;
  expect(validate("clock", first).ok).toBe(true);
  expect(first.samples.length).toBe(4_096);
  // The others were never answered: they go out at the next look, not 2 s later.
  expect(book.take(T0 + 260)!.samples.length).toBe(5_000 - 4_096);
});

describe("nodeClockOf", () => {
  test("flags a clock off by more than the threshold, says whether its starts are corrected, and flags correction off", () => {
    expect(nodeClockOf(beat())).toBeUndefined();
    expect(nodeClockOf(beat({ clock_offset_ms: 12.5, clock_uncertainty_ms: 1.5, clock_correction: true }))).toEqual({
      offset_ms: 12.5, uncertainty_ms: 1.5, correction: true, skewed: false, flag: null,
    });
    expect(nodeClockOf(beat({ clock_offset_ms: 1_500.4, clock_uncertainty_ms: 2, clock_correction: true }))).toMatchObject({
      skewed: true, flag: "clock 1500 ms behind the orchestrator's (more than 50 ms): its starts are corrected",
    });
    expect(nodeClockOf(beat({ clock_offset_ms: -1_500, clock_uncertainty_ms: 2, clock_correction: false }), 50)!.flag).toBe(
      "clock 1500 ms ahead the orchestrator's (more than 50 ms); clock correction off (--no-clock-correction): it starts on its own clock",
    );
    expect(nodeClockOf(beat({ clock_offset_ms: 3, clock_uncertainty_ms: 1, clock_correction: false }))!.flag).toContain("clock correction off");
    expect(nodeClockOf(beat({ clock_offset_ms: 3, clock_uncertainty_ms: 80, clock_correction: true }))!.flag).toBe("offset uncertain by ±80 ms");
    expect(nodeClockOf(beat({ clock_offset_ms: 60, clock_uncertainty_ms: 1, clock_correction: true }), 100)!.flag).toBeNull();
  });

  test("clockWarnings names each flagged participant", () => {
    const clock = nodeClockOf(beat({ clock_offset_ms: 900, clock_uncertainty_ms: 1, clock_correction: true }))!;
    expect(clockWarnings([{ node_id: "d1", clock }, { node_id: "d2" }])).toEqual([`d1: ${clock.flag}`]);
  });
});

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe("the orchestrator's side of the clock exchange", () => {
  test("answers a heartbeat with a clock message carrying its (t1, t2) and t3, and shows the driver's reported offset on /nodes", async () => {
    harness = await startHarness();
    const { orchestrator, drivers, clock } = harness;
    const answers: ClockMessage[] = [];
    await drivers.subscribe("clock", { mode: { kind: "broadcast" } }, (m) => void answers.push(m));
    await drivers.publish("heartbeat", beat({ timestamp: T0 - 1_497, clock_offset_ms: 1_500, clock_uncertainty_ms: 2.5, clock_correction: true }));
    await waitFor("d1 to be known", () => orchestrator.listNodes().length === 1);
    clock.advance(250);
    await waitFor("the clock answer", () => answers.length === 1);
    expect(answers[0]).toEqual({ t3: T0 + 250, samples: [{ node_id: "d1", t1: T0 - 1_497, t2: T0 }], twins: [] });
    expect(orchestrator.listNodes()[0]!.clock).toMatchObject({ offset_ms: 1_500, uncertainty_ms: 2.5, correction: true, skewed: true });
  });

  test("two live processes with one node_id: the next clock message lists them with their start times, at once rather than at the interval", async () => {
    harness = await startHarness();
    const { orchestrator, drivers, clock } = harness;
    const answers: ClockMessage[] = [];
    await drivers.subscribe("clock", { mode: { kind: "broadcast" } }, (m) => void answers.push(m));
    const elder = { instance_id: "aaaa11112222", started_at: T0 - 60_000 };
    const twin = { instance_id: "bbbb33334444", started_at: T0 - 1_000 };
    await drivers.publish("heartbeat", beat(elder));
    await waitFor("d1 to be known", () => orchestrator.listNodes().length === 1);
    clock.advance(250);
    await waitFor("the first clock answer", () => answers.length === 1);
    expect(answers[0]!.twins).toEqual([]);
    // The twin beats, then the elder beats again after the twin's first beat: a conflict.
    await drivers.publish("heartbeat", beat({ ...twin, timestamp: T0 + 300 }));
    await drivers.publish("heartbeat", beat({ ...elder, timestamp: T0 + 400 }));
    await waitFor("the conflict", () => orchestrator.listNodes()[0]!.conflict != null);
    clock.advance(250);
    await waitFor("the urgent clock message", () => answers.length === 2);
    expect(answers[1]!.t3).toBe(T0 + 500);
    expect(answers[1]!.twins).toEqual([{ node_id: "d1", instances: [elder, twin] }]);
    expect(validate("clock", answers[1]).ok).toBe(true);
  });

  test("a test triggered on a fleet with a flagged clock says so, and so does a driver that started uncorrected", async () => {
    harness = await startHarness({ ids: ["t1"] });
    const { orchestrator, drivers, join } = harness;
    await join("d1");
    await join("d2");
    await drivers.publish("heartbeat", beat({ node_id: "d2", clock_offset_ms: -1_500, clock_uncertainty_ms: 1, clock_correction: false }));
    await waitFor("d2's clock", () => orchestrator.listNodes().find((n) => n.node_id === "d2")?.clock !== undefined);
    await orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 10, target_url: "http://127.0.0.1:8080/ping", trigger: true });
    expect(orchestrator.getTest("t1")!.warnings).toEqual([`d2: ${orchestrator.listNodes()[1]!.clock!.flag}`]);
    await drivers.publish("driver_event", { node_id: "d1", test_id: "t1", event: "TEST_STARTED", clock_corrected: false, warning: "no clock offset estimate came in time: started uncorrected" });
    await waitFor("the warning", () => orchestrator.getTest("t1")!.warnings!.length === 2);
    expect(orchestrator.getTest("t1")!.warnings![1]).toBe("d1: no clock offset estimate came in time: started uncorrected");
  });

  test("start skew is measured on the orchestrator's timeline when drivers report it, whatever their own clocks say", async () => {
    harness = await startHarness({ ids: ["t1"] });
    const { orchestrator, join, report } = harness;
    await join("d1");
    await join("d2");
    await orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 10, target_url: "http://127.0.0.1:8080/ping", trigger: true });
    const a = new FakeDriverReports("d1", "t1").window(spread(10, 1, 2), { final: true });
    const b = new FakeDriverReports("d2", "t1").window(spread(10, 1, 2), { final: true });
    // d1's clock is 1.5 s behind: its own first send reads 1.5 s early; d2's is right. On the orchestrator's timeline they are 4 ms apart.
    await report({ ...a, first_send_at: T0 + 250 - 1_500, first_send_at_orchestrator: T0 + 251, last_send_at_orchestrator: T0 + 900, clock_offset_ms: 1_500, clock_corrected: true });
    await report({ ...b, first_send_at: T0 + 255, first_send_at_orchestrator: T0 + 255, last_send_at_orchestrator: T0 + 905, clock_offset_ms: 0.5, clock_corrected: true });
    const view = orchestrator.getTest("t1")!;
    expect(view.metrics.start_skew_ms).toBe(4);
    expect(view.per_driver.map((d) => [d.node_id, d.first_send_at, d.clock_offset_ms, d.clock_corrected])).toEqual([
      ["d1", T0 + 251, 1_500, true],
      ["d2", T0 + 255, 0.5, true],
    ]);
  });
});
