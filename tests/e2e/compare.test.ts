/**
 * `loadtest compare` over a real fleet on Kafka: two runs, the second against a target that
 * delays each answer by 5 ms. compare flags the p50/p99 regression (exit 99) and passes with a
 * generous threshold (exit 0); `start --junit` and `compare --junit` write JUnit XML that a
 * strict reader parses, with one testcase per threshold or verdict.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Fleet, nodeCommand } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { waitForAlive } from "../helpers/orchestrator-client.ts";
import { findAll, parseXml } from "../helpers/xml.ts";
import { launchChromium } from "../helpers/chromium.ts";

// bunfig.toml's [test] timeout is not read by Bun 1.4.5; this bounds each test and hook of the file.
setDefaultTimeout(180_000);

let fleet: Fleet;
let orchestratorUrl: string;
let fastUrl: string;
let slowUrl: string;

beforeAll(async () => {
  const brokers = await requireKafka();
  fleet = new Fleet({ brokers, topicPrefix: uniqueTopicPrefix("compare") });
  fastUrl = (await fleet.target("target-fast")).url;
  slowUrl = (await fleet.target("target-slow", ["--delay-ms", "5"])).url;
  const orchestrator = await fleet.orchestrator("orchestrator", ["--target", `${fastUrl}/ping`, "--allow-target", "127.0.0.1"]);
  orchestratorUrl = orchestrator.url;
  fleet.driver("cmp-d1");
  fleet.driver("cmp-d2");
  await waitForAlive(orchestratorUrl, ["cmp-d1", "cmp-d2"], 60_000);
});

afterAll(async () => {
  await fleet?.stop();
});

async function loadtest(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([...nodeCommand("loadtest"), ...args], {
    env: { ...process.env, LOADTEST_URL: orchestratorUrl, ORCHESTRATOR_TOKEN: "" },
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** One 2-driver TSUNAMI run against `target`; returns its test id and p99. */
async function run(target: string, junit?: string): Promise<{ id: string; p99: number }> {
  const args = ["start", "--type", "tsunami", "--count", "100", "--delay", "10", "--target", `${target}/ping`, "--threshold", "errors<1%", "--json"];
  const { code, stdout, stderr } = await loadtest(...args, ...(junit ? ["--junit", junit] : []));
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  const result = JSON.parse(stdout) as { test: { test_id: string; state: string; metrics: { counts: { completed: number }; latency: { p99_latency: number } } } };
  expect({ state: result.test.state, completed: result.test.metrics.counts.completed }).toEqual({ state: "done", completed: 200 });
  return { id: result.test.test_id, p99: result.test.metrics.latency.p99_latency };
}

describe("comparing runs over Kafka", () => {
  let base: string;
  let candidate: string;
  let baseP99: number;
  let candidateP99: number;

  test("start --junit writes each threshold and the run's end as a test case", async () => {
    const file = join(fleet.dir, "start.xml");
    const result = await run(fastUrl, file);
    base = result.id;
    baseP99 = result.p99;
    const root = parseXml(readFileSync(file, "utf8"));
    expect(findAll(root, "testcase").map((c) => [c.attributes.name, c.children.length])).toEqual([
      ["threshold errors<1%", 0],
      ["test ended done", 0],
    ]);
    const slow = await run(slowUrl);
    candidate = slow.id;
    candidateP99 = slow.p99;
  });

  test("compare flags the p50 and p99 regression of the 5 ms target, exits 99 and lists each verdict in JUnit", async () => {
    const file = join(fleet.dir, "compare.xml");
    const { code, stdout, stderr } = await loadtest("compare", base, candidate, "--max-regression", "p50=50%", "--max-regression", "p99=50%", "--max-regression", "errors=0.1pp", "--junit", file);
    // Every answer of the slow target takes at least 5 ms: p50 goes from loopback's ~0.5 ms to
    // over 5 ms, always. p99 too on a quiet machine (loopback's p99 is about 1 ms); on a shared,
    // loaded one the base's own tail can reach 5 to 70 ms from a stall, so p99's verdict is
    // checked against what the two runs measured.
    const p99Regressed = candidateP99 > baseP99 * 1.5;
    const failed = p99Regressed ? "p50=50%, p99=50%" : "p50=50%";
    expect({ code, stderr }).toEqual({ code: 99, stderr: `loadtest: regression beyond --max-regression: ${failed}\n` });
    expect(stdout).toMatch(/^\s+p50\s.*✗ FAIL p50=50%$/m);
    expect(stdout).toMatch(p99Regressed ? /^\s+p99\s.*✗ FAIL p99=50%$/m : /^\s+p99\s.*✓ pass p99=50%$/m);
    expect(stdout).toMatch(/^\s+errors\s.*✓ pass errors=0\.1pp$/m);
    const root = parseXml(readFileSync(file, "utf8"));
    expect(findAll(root, "testsuite")[0]!.attributes).toMatchObject({ tests: "3", failures: p99Regressed ? "2" : "1" });
    expect(findAll(root, "testcase").map((c) => [c.attributes.name, findAll(c, "failure").length])).toEqual([
      ["max-regression errors=0.1pp", 0],
      ["max-regression p50=50%", 1],
      ["max-regression p99=50%", p99Regressed ? 1 : 0],
    ]);

    const json = await loadtest("compare", base, candidate, "--json");
    const metrics = (JSON.parse(json.stdout) as { metrics: { metric: string; base: number; candidate: number }[] }).metrics;
    const p50 = metrics.find((m) => m.metric === "p50")!;
    // The slow target holds every answer 5 ms; the p99s are the runs' own.
    expect(p50.candidate).toBeGreaterThanOrEqual(5);
    expect(p50.candidate - p50.base).toBeGreaterThan(3);
    expect(metrics.find((m) => m.metric === "p99")).toMatchObject({ base: baseP99, candidate: candidateP99 });
  });

  test("compare exits 0 with a generous threshold", async () => {
    const { code, stdout } = await loadtest("compare", base, candidate, "--max-regression", "p50=10000ms", "--max-regression", "p99=10000ms", "--max-regression", "errors=0.1pp");
    expect(code).toBe(0);
    expect(stdout).toContain("max-regression: all 3 within");
  });

  test("the distribution of each run answers over HTTP, from p0 to p99.99", async () => {
    const res = await fetch(`${orchestratorUrl}/tests/${candidate}/distribution`);
    const body = (await res.json()) as { total: { count: number; min_ms: number; points: { percentile: number; latency_ms: number }[] }; per_driver: { node_id: string }[] };
    expect({ status: res.status, count: body.total.count, drivers: body.per_driver.map((d) => d.node_id).sort() }).toEqual({ status: 200, count: 200, drivers: ["cmp-d1", "cmp-d2"] });
    expect(body.total.points[0]!.latency_ms).toBe(body.total.min_ms);
    expect(body.total.points.at(-1)!.percentile).toBe(99.99);
  });

  test("the dashboard overlays the base on the candidate and shows the deltas, a regression in red", async () => {
    const { context, close } = await launchChromium();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (err) => errors.push(err.message));
      await page.goto(orchestratorUrl);
      await page.locator(`#history tr[data-test="${candidate}"]`).click();
      await page.locator('[data-testid="test-id"]', { hasText: candidate }).waitFor();
      // The shown test's distribution, on the log axis up to p99.99.
      await page.locator('[data-testid="distribution-chart"] text', { hasText: "p99.99" }).waitFor();
      await page.selectOption("#base-select", base);
      await page.locator('[data-testid="compare-table"] tr[data-metric="p50"] td.num-bad').waitFor();
      const p99 = await page.locator('[data-testid="compare-table"] tr[data-metric="p99"] td').allTextContents();
      expect(p99[0]).toBe("p99");
      expect(p99[3]).toMatch(/^[+-][\d.]+ ms \([+-][\d.]+%\)$/);
      // The base's lines are drawn dashed in both the latency and the distribution chart.
      expect(await page.locator('#latency-chart path[stroke-dasharray]').count()).toBe(2);
      expect(await page.locator('#distribution-chart path[stroke-dasharray]').count()).toBe(1);
      await page.screenshot({ path: join(fleet.dir, "dashboard-compare.png"), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
