/**
 * The `loadtest` CLI as a process against a real fleet over Kafka (target, orchestrator, two
 * drivers): nodes, start with thresholds (pass, then exit 99), report to a file, list; and
 * `run` in one process without Kafka.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Fleet, nodeCommand } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { getTest, waitForAlive } from "../helpers/orchestrator-client.ts";

// bunfig.toml's [test] timeout is not read by Bun 1.4.5; this bounds each test and hook of the file.
setDefaultTimeout(180_000);

let fleet: Fleet;
let orchestratorUrl: string;
let targetUrl: string;

beforeAll(async () => {
  const brokers = await requireKafka();
  fleet = new Fleet({ brokers, topicPrefix: uniqueTopicPrefix("cli") });
  const target = await fleet.target();
  targetUrl = target.url;
  const orchestrator = await fleet.orchestrator("orchestrator", ["--target", `${target.url}/ping`, "--allow-target", "127.0.0.1"]);
  orchestratorUrl = orchestrator.url;
  fleet.driver("cli-d1");
  fleet.driver("cli-d2");
  await waitForAlive(orchestratorUrl, ["cli-d1", "cli-d2"], 60_000);
});

afterAll(async () => {
  await fleet?.stop();
});

/** Runs `loadtest` as a process (stdout and stderr are pipes, not a terminal). */
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

describe("loadtest over Kafka", () => {
  test("nodes lists both drivers alive", async () => {
    const { code, stdout } = await loadtest("nodes");
    expect({ code, alive: stdout.match(/^cli-d\d +alive /gm)?.length }).toEqual({ code: 0, alive: 2 });
  });

  test("start waits with a progress line a second, prints the summary of the REST result and passes its thresholds", async () => {
    const { code, stdout, stderr } = await loadtest("start", "--type", "tsunami", "--count", "150", "--delay", "20", "--threshold", "p99<2000", "--threshold", "errors<1%");
    expect({ code, stderr: stderr.split("\n")[0] }).toEqual({ code: 0, stderr: expect.stringMatching(/^test \S+ started on 2 driver\(s\): cli-d1, cli-d2$/) });
    const testId = /^test (\S+) started/.exec(stderr)![1]!;
    // About 3 s of sending: a progress line for each second, one per line (not a terminal).
    expect(stderr.match(/^\[[#.]{24}\] +\d+% +[\d,]+\/300 \| [\d.,]+ req\/s \| p50 .* \| errors \d+ .*$/gm)!.length).toBeGreaterThanOrEqual(2);
    const rest = await getTest(orchestratorUrl, testId);
    expect(rest.state).toBe("done");
    expect(stdout).toContain(`test ${testId} done`);
    expect(stdout).toContain("  requests ...... 300 sent, 300 completed");
    expect(stdout).toContain("thresholds: all passed");
  });

  test("a failed threshold exits 99 and the summary names it", async () => {
    const { code, stdout, stderr } = await loadtest("start", "--type", "avalanche", "--count", "50", "--threshold", "max<0.001", "--threshold", "rps>0");
    expect({ code, failed: stderr.trim().split("\n").at(-1) }).toEqual({ code: 99, failed: "loadtest: threshold(s) failed: max<0.001" });
    expect(stdout).toContain("thresholds: 1 of 2 failed");
    expect(stdout).toMatch(/✗ max<0\.001 +max = /);
    expect(stdout).toMatch(/✓ rps>0 +rps = /);
  });

  test("report writes a self-contained HTML file and list shows the tests", async () => {
    const listed = await loadtest("list", "--json");
    const tests = (JSON.parse(listed.stdout) as { tests: { test_id: string; state: string }[] }).tests;
    expect(tests.length).toBe(2);
    const out = join(fleet.dir, "report.html");
    const report = await loadtest("report", tests[0]!.test_id, "--format", "html", "--out", out);
    expect(report.code).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).toContain(tests[0]!.test_id);
    expect(html).not.toMatch(/<script|src="http|href="http/);
  });

  test("run loads a URL from one process without Kafka or the fleet", async () => {
    const { code, stdout } = await loadtest("run", `${targetUrl}/ping`, "--drivers", "2", "--type", "avalanche", "--count", "100", "--json");
    const result = JSON.parse(stdout) as { test: { state: string; metrics: { counts: { completed: number } } }; passed: boolean };
    expect({ code, state: result.test.state, completed: result.test.metrics.counts.completed }).toEqual({ code: 0, state: "done", completed: 200 });
  });

  test("an unreachable orchestrator is explained", async () => {
    const { code, stderr } = await loadtest("list", "--orchestrator", "http://127.0.0.1:9");
    expect(code).toBe(1);
    expect(stderr).toContain('Is it running? Start it with "bun run orchestrator"');
  });
});
