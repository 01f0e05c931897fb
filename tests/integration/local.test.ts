import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadtest } from "../helpers/in-process-cli.ts";
import type { TestView } from "../../src/orchestrator/snapshot.ts";
import { createTarget, type Target } from "../../target/server.ts";

let target: Target;
beforeAll(() => {
  target = createTarget({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await target?.stop();
});

describe("loadtest run (one process, no Kafka)", () => {
  test("runs the test on N in-process drivers, draws progress lines and passes its thresholds", async () => {
    target.metrics.reset();
    const url = `${target.url}/ping`;
    const { code, stdout, stderr } = await loadtest("run", url, "--drivers", "3", "--type", "tsunami", "--count", "150", "--delay", "10", "--threshold", "p99<1000", "--threshold", "errors<1%");
    expect({ code, stderr: stderr.split("\n")[0] }).toEqual({ code: 0, stderr: expect.stringMatching(/^test \S+ running in-process on 3 driver\(s\)$/) });
    // About 1.5 s of sending: at least one progress line, each on its own line (not a terminal).
    expect(stderr).toMatch(/^\[[#.]{24}\] +\d+%  [\d,]+\/450 \| /m);
    expect(stdout).toContain("  requests ...... 450 sent, 450 completed");
    expect(stdout).toContain("thresholds: all passed");
    expect(stdout).toMatch(/local-3 +final +150 +150/);
    expect(target.metrics.toJson(0).ping.received).toBe(450);
  });

  test("runs each in-process driver on --workers 2: exact counts, one row per driver", async () => {
    target.metrics.reset();
    const { code, stdout } = await loadtest("run", `${target.url}/ping`, "--drivers", "2", "--workers", "2", "--type", "avalanche", "--count", "1001", "--concurrency", "8");
    expect(code).toBe(0);
    expect(stdout).toContain("  requests ...... 2,002 sent, 2,002 completed");
    expect(stdout).toMatch(/local-1 +final +1,001 +1,001/);
    expect(stdout).toMatch(/local-2 +final +1,001 +1,001/);
    expect(target.metrics.toJson(0).ping.received).toBe(2_002);
  });

  test("refuses --workers that is not auto or a whole number, naming the flag", async () => {
    const { code, stderr } = await loadtest("run", `${target.url}/ping`, "--workers", "many", "--type", "avalanche", "--count", "5");
    expect(code).toBe(2);
    expect(stderr).toContain('--workers must be auto or a whole number from 1 to 256, got "many"');
  });

  test("exits 99 naming the failed threshold, and prints JSON with --json", async () => {
    const { code, stdout, stderr } = await loadtest("run", `${target.url}/ping`, "--drivers", "2", "--type", "avalanche", "--count", "50", "--threshold", "p50<0.0001", "--threshold", "errors<=0", "--json");
    const result = JSON.parse(stdout) as { test: TestView; thresholds: { threshold: string; ok: boolean }[]; passed: boolean };
    expect({
      code,
      stderr,
      passed: result.passed,
      thresholds: result.thresholds.map((t) => [t.threshold, t.ok]),
      completed: result.test.metrics.counts.completed,
      state: result.test.state,
    }).toEqual({
      code: 99,
      stderr: "loadtest: threshold(s) failed: p50<0.0001\n",
      passed: false,
      thresholds: [
        ["p50<0.0001", false],
        ["errors<=0", true],
      ],
      completed: 100,
      state: "done",
    });
  });

  test("counts a refused connection as an error of its class and fails the errors threshold", async () => {
    const closed = createTarget({ port: 0, host: "127.0.0.1" });
    const url = `${closed.url}/ping`;
    await closed.stop();
    const { code, stdout } = await loadtest("run", url, "--drivers", "1", "--type", "avalanche", "--count", "5", "--threshold", "errors<1%");
    expect(code).toBe(99);
    expect(stdout).toContain("connection 5");
    expect(stdout).toContain("✗ errors<1%        errors = 100.00% (5 of 5)");
  });

  test("reports every usage mistake at once with exit code 2", async () => {
    const { code, stderr } = await loadtest("run", "--drivers", "9", "--type", "storm", "--rps", "x", "--threshold", "p42<1");
    expect(code).toBe(2);
    expect(stderr.split("\n")).toEqual([
      "loadtest run: --drivers must be an integer from 1 to 8, got \"9\"",
      "loadtest run: give the URL to load, e.g. http://127.0.0.1:8080/ping",
      'loadtest run: --type must be avalanche or tsunami, got "storm"',
      "loadtest run: --count is required: requests per driver (or --duration/--stage to send for a time)",
      'loadtest run: --rps must be a number, got "x"',
      expect.stringContaining('loadtest run: --threshold "p42<1": unknown metric "p42"'),
      "Run 'loadtest run --help' for usage.",
      "",
    ]);
  });

  test("has help for every command, and names an unknown one", async () => {
    const help = await loadtest("--help");
    expect(help.stdout).toContain("  run      run a test from this process alone (no Kafka, no fleet)");
    for (const name of ["nodes", "start", "watch", "stop", "list", "report", "run", "keygen"]) {
      const sub = await loadtest(name, "--help");
      expect({ name, code: sub.code, usage: sub.stdout.startsWith(`Usage: loadtest ${name}`) }).toEqual({ name, code: 0, usage: true });
    }
    const unknown = await loadtest("launch");
    expect({ code: unknown.code, stderr: unknown.stderr.split("\n")[0] }).toEqual({ code: 2, stderr: 'loadtest: unknown command "launch"; commands: nodes, start, watch, stop, list, report, compare, run, keygen' });
  });
});
