/**
 * Fault 4: a target that refuses connections (nothing listens), answers 500 to everything, or
 * answers after the request timeout. Every request is counted in its class, the TSUNAMI
 * schedule holds (each request reaches the target at its due time `start_at + i × delay`,
 * whatever the answers), the test ends `done`, and the driver and orchestrator are still there
 * to run a healthy test afterwards. Real processes, the shared broker.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createServer } from "node:net";
import { latenessMs, startArrivalTarget, type ArrivalTarget } from "../helpers/arrival-target.ts";
import { Fleet, type NodeProcess } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { startTest, targetMetrics, waitForAlive, waitForTestEnd, type CountsJson } from "../helpers/orchestrator-client.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook. Each wait is bounded too.
setDefaultTimeout(180_000);

const COUNT = 40;
const DELAY_MS = 50;
/**
 * The schedule is computed from the start time, so only the first and last sends' wake-ups move
 * the span, by no more than a loaded machine delays a timer. A schedule paced by the answers
 * would be far outside it: 40 timeouts of 150 ms alone take 6 s against the 1.95 s expected.
 */
const SPAN_TOLERANCE_MS = 1_000;
/**
 * Each request must reach the target no earlier than its due time (less clock granularity
 * across two processes) and no later than a loaded machine stalls a process (hundreds of ms
 * were seen at a load average of 26 on 2 cores; the sends held back then arrive together, each
 * less late than the one before). The targets below make each request last 150 ms or more,
 * three times the 50 ms delay: a schedule paced by the answers would reach request i at least
 * i × 100 ms late, request 15 on past the tolerance and the last one 3.9 s late.
 */
const EARLY_TOLERANCE_MS = 25;
const LATE_TOLERANCE_MS = 1_500;
const DRIVER = "tf-1";

let fleet: Fleet;
let orchestratorUrl: string;
let driver: NodeProcess;
let orchestrator: NodeProcess;

/** A loopback port nothing listens on (bound, read, released). */
async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

type DriverJson = { counts: CountsJson & { late: number }; first_send_at: number | null; last_send_at: number | null; outcome: string };

/** Runs a TSUNAMI test against `url` and returns the driver's figures and the test's start time. */
async function runAgainst(url: string, extra: Record<string, unknown> = {}): Promise<{ state: string; driver: DriverJson; startAt: number }> {
  const created = await startTest(orchestratorUrl, { test_type: "TSUNAMI", test_message_delay: DELAY_MS, message_count_per_driver: COUNT, target_url: url, ...extra });
  const ended = await waitForTestEnd(orchestratorUrl, created.test_id, 60_000);
  const startAt = (ended as unknown as { start_at: number | null }).start_at;
  if (startAt === null) throw new Error(`test ${created.test_id} ended without a start_at`);
  return { state: ended.state, driver: ended.per_driver[0] as unknown as DriverJson, startAt };
}

/**
 * Sends spanned (count - 1) × delay. Only for the refused target, which sees no arrival: a
 * refusal comes back at once, so this shows the refusals neither stalled nor hurried the schedule.
 */
function expectSpanKept(driver: DriverJson): void {
  const span = driver.last_send_at! - driver.first_send_at!;
  expect(Math.abs(span - (COUNT - 1) * DELAY_MS)).toBeLessThan(SPAN_TOLERANCE_MS);
}

/** Every request reached the target at its own due time `startAt + i × delay`: the schedule held. */
function expectArrivalsOnSchedule(target: ArrivalTarget, startAt: number): void {
  const arrivals = target.arrivals().map((a) => a.at);
  expect(arrivals.length).toBe(COUNT);
  const lateness = latenessMs(arrivals, startAt, DELAY_MS);
  const off = lateness.flatMap((ms, i) => (ms < -EARLY_TOLERANCE_MS || ms > LATE_TOLERANCE_MS ? [`#${i}: ${ms} ms`] : []));
  if (process.env.TARGET_FAULTS_LATENESS) console.log(`lateness ms: ${lateness.join(" ")}`);
  expect(off).toEqual([]);
}

const targets: ArrivalTarget[] = [];
/** An arrival-recording target, stopped after the file. */
function arrivalTarget(options: Parameters<typeof startArrivalTarget>[0]): ArrivalTarget {
  const target = startArrivalTarget(options);
  targets.push(target);
  return target;
}

const zero = { sent: COUNT, completed: 0, status_2xx: 0, status_4xx: 0, status_5xx: 0, timeout: 0, connection_error: 0 };
const classes = (c: CountsJson) => ({
  sent: c.sent,
  completed: c.completed,
  status_2xx: c.status_2xx,
  status_4xx: c.status_4xx,
  status_5xx: c.status_5xx,
  timeout: c.timeout,
  connection_error: c.connection_error,
});

beforeAll(async () => {
  fleet = new Fleet({ brokers: await requireKafka(), topicPrefix: uniqueTopicPrefix("fault-target") });
  const started = await fleet.orchestrator("orchestrator", ["--allow-target", "127.0.0.1"]);
  orchestratorUrl = started.url;
  orchestrator = started.node;
  driver = fleet.driver(DRIVER);
  await waitForAlive(orchestratorUrl, [DRIVER], 60_000);
});

afterAll(async () => {
  await fleet?.stop();
  await Promise.all(targets.map((t) => t.stop()));
});

describe("a faulty target", () => {
  test("refusing connections: every request is a connection error, on schedule", async () => {
    const { state, driver: d } = await runAgainst(`http://127.0.0.1:${await closedPort()}/ping`, { timeout_ms: 2_000 });
    expect({ state, outcome: d.outcome, counts: classes(d.counts) }).toEqual({ state: "done", outcome: "final", counts: { ...zero, connection_error: COUNT } });
    expectSpanKept(d);
  });

  test("answering 500 after 400 ms: every request is a 5xx, each sent at its due time, and the target agrees", async () => {
    const target = arrivalTarget({ status: 500, delayMs: 400 });
    const { state, driver: d, startAt } = await runAgainst(`${target.url}/ping`);
    expect({ state, counts: classes(d.counts) }).toEqual({ state: "done", counts: { ...zero, completed: COUNT, status_5xx: COUNT } });
    expectArrivalsOnSchedule(target, startAt);
  });

  test("answering after the request timeout: every request is a timeout, each sent at its due time", async () => {
    const target = arrivalTarget({ delayMs: 600 });
    const { state, driver: d, startAt } = await runAgainst(`${target.url}/ping`, { timeout_ms: 150 });
    expect({ state, counts: classes(d.counts) }).toEqual({ state: "done", counts: { ...zero, timeout: COUNT } });
    expectArrivalsOnSchedule(target, startAt);
  });

  test("afterwards nothing has crashed: the same driver runs a healthy test to done", async () => {
    const target = await fleet.target("target-ok");
    const { state, driver: d } = await runAgainst(`${target.url}/ping`);
    expect({ state, counts: classes(d.counts) }).toEqual({ state: "done", counts: { ...zero, completed: COUNT, status_2xx: COUNT } });
    expect((await targetMetrics(target.url)).by_status).toEqual({ "200": COUNT });
    expect({ driver: driver.proc.exitCode, orchestrator: orchestrator.proc.exitCode }).toEqual({ driver: null, orchestrator: null });
    expect(driver.output()).not.toMatch(/"level":"error"|Unhandled|uncaught/i);
  });
});
