/**
 * Automatic aborts and Ctrl-C over the real broker (target, orchestrator, two drivers as
 * processes): `abort_on: ["errors>10%"]` against a target failing half its requests stops the
 * test within abort_window_s + 1 s after abort_delay_s, naming the threshold; SIGINT to a
 * `loadtest start` process stops its test, which ends `stopped` with reports that render.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Fleet, nodeCommand } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { resetTarget, targetMetrics, waitForAlive } from "../helpers/orchestrator-client.ts";
import { waitFor } from "../helpers/wait.ts";
import type { TestView } from "../../src/orchestrator/snapshot.ts";

// bunfig.toml's [test] timeout is not read by Bun 1.4.5; this bounds each test and hook of the file.
setDefaultTimeout(180_000);

let fleet: Fleet;
let orchestratorUrl: string;
let targetUrl: string;
let failingUrl: string;

beforeAll(async () => {
  const brokers = await requireKafka();
  fleet = new Fleet({ brokers, topicPrefix: uniqueTopicPrefix("abort") });
  targetUrl = (await fleet.target("target")).url;
  failingUrl = (await fleet.target("failing-target", ["--error-rate", "0.5"])).url;
  orchestratorUrl = (await fleet.orchestrator("orchestrator", ["--target", `${targetUrl}/ping`, "--allow-target", "127.0.0.1"])).url;
  fleet.driver("abort-d1");
  fleet.driver("abort-d2");
  await waitForAlive(orchestratorUrl, ["abort-d1", "abort-d2"], 60_000);
});

afterAll(async () => {
  await fleet?.stop();
});

const getTest = async (id: string) => (await (await fetch(`${orchestratorUrl}/tests/${id}`)).json()) as TestView;
const ended = (id: string) =>
  waitFor(`test ${id} to end`, async () => {
    const test = await getTest(id);
    return test.ended_at !== null ? test : null;
  }, { timeoutMs: 60_000, intervalMs: 100 });

describe("stopping over Kafka", () => {
  test("abort_on errors>10% against a target failing half its requests stops the test within window + 1 s after the delay", async () => {
    await resetTarget(failingUrl);
    // 20 s of TSUNAMI per driver if nothing stopped it.
    const response = await fetch(`${orchestratorUrl}/tests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        test_type: "TSUNAMI",
        test_message_delay: 10,
        message_count_per_driver: 2000,
        target_url: `${failingUrl}/ping`,
        abort_on: ["errors>10%"],
        abort_window_s: 2,
        abort_delay_s: 2,
        trigger: true,
      }),
    });
    expect(response.status).toBe(201);
    const { test_id } = (await response.json()) as TestView;
    const test = await ended(test_id);
    const stop = test.stop!;
    expect({ state: test.state, by: stop.by, expression: stop.threshold?.expression, window_s: stop.threshold?.window_s }).toEqual({
      state: "stopped",
      by: "threshold",
      expression: "errors>10%",
      window_s: 2,
    });
    // Half the requests fail: the figure that fired is near 50%.
    expect(stop.threshold!.observed).toBeGreaterThan(30);
    expect(stop.threshold!.observed).toBeLessThan(70);
    expect(stop.reason).toContain("errors>10%");
    const afterStart = stop.requested_at - test.start_at!;
    expect(afterStart).toBeGreaterThanOrEqual(2_000);
    expect(afterStart).toBeLessThanOrEqual((2 + 2 + 1) * 1000);
    // Stopped, not finished: far fewer than the 4,000 planned; counts exact against the target.
    expect(test.metrics.counts.sent).toBeLessThan(4000);
    expect(test.metrics.counts.completed).toBe((await targetMetrics(failingUrl)).ping.responses);
  });

  test("SIGINT to loadtest start stops the test, prints the summary, exits 130; the stopped test's reports render", async () => {
    await resetTarget(targetUrl);
    const proc = Bun.spawn([...nodeCommand("loadtest"), "start", "--type", "tsunami", "--count", "2000", "--delay", "10"], {
      env: { ...process.env, LOADTEST_URL: orchestratorUrl, ORCHESTRATOR_TOKEN: "" },
      stdout: "pipe",
      stderr: "pipe",
      stdin: "ignore",
    });
    const io = { stdout: "", stderr: "" };
    const drain = async (stream: ReadableStream<Uint8Array>, key: "stdout" | "stderr") => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) io[key] += decoder.decode(chunk, { stream: true });
    };
    const drained = Promise.all([drain(proc.stdout, "stdout"), drain(proc.stderr, "stderr")]);
    try {
      // A progress line with requests sent: the test runs and the CLI follows it (its SIGINT handler is in place).
      await waitFor("a progress line", () => /\] +\d+% +[1-9][\d,]*\/[\d,]+ \|/.test(io.stderr), { timeoutMs: 60_000 });
      proc.kill("SIGINT");
      const code = await proc.exited;
      await drained;
      const testId = /^test (\S+) started/m.exec(io.stderr)![1]!;
      expect({ code, last: io.stderr.trim().split("\n").at(-1) }).toEqual({ code: 130, last: `loadtest: test ${testId} stopped on Ctrl-C` });
      expect(io.stdout).toContain(`test ${testId} stopped in `);
      expect(io.stdout).toContain("  stopped by user: Ctrl-C in loadtest start");

      const test = await getTest(testId);
      expect({ state: test.state, by: test.stop?.by }).toEqual({ state: "stopped", by: "user" });
      expect(test.metrics.counts.sent).toBeGreaterThan(0);
      expect(test.metrics.counts.sent).toBeLessThan(4000);
      expect(test.metrics.counts.completed).toBe((await targetMetrics(targetUrl)).ping.responses);
      const report = async (format: string) => {
        const res = await fetch(`${orchestratorUrl}/tests/${testId}/report?format=${format}`);
        return { status: res.status, text: await res.text() };
      };
      const [json, csv, html] = await Promise.all([report("json"), report("csv"), report("html")]);
      expect([json.status, csv.status, html.status]).toEqual([200, 200, 200]);
      const parsed = JSON.parse(json.text) as { test: TestView; series: { points: unknown[] } };
      expect({ state: parsed.test.state, points: parsed.series.points.length > 0 }).toEqual({ state: "stopped", points: true });
      expect(csv.text.split("\r\n")[0]).toStartWith("test_id,second,scope,");
      expect(csv.text).toContain(testId);
      expect(html.text).toContain("<svg ");
      expect(html.text).toContain("stopped");
    } finally {
      if (proc.exitCode === null) proc.kill("SIGKILL");
    }
  });
});
