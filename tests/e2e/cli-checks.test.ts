/**
 * Issue 11's checks and per-request thresholds through the real `loadtest run` process (one
 * process, no Kafka) against our target: `checks>99%` fails on /status/500 with the threshold
 * exit code and names the threshold, passes on /ping; `p99{name:ping}` judges the request named
 * ping, and a threshold on a name no request has is refused before any request is sent.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Fleet, nodeCommand } from "../helpers/fleet.ts";
import { uniqueTopicPrefix } from "../helpers/kafka.ts";

// Spawns processes: the 5 s default is too short on a busy machine.
setDefaultTimeout(120_000);

let fleet: Fleet;
let targetUrl: string;

beforeAll(async () => {
  fleet = new Fleet({ brokers: [], topicPrefix: uniqueTopicPrefix("cli-checks") });
  targetUrl = (await fleet.target()).url;
});

afterAll(async () => {
  await fleet?.stop();
});

/** Runs `loadtest` as a process (stdout and stderr are pipes, not a terminal). */
async function loadtest(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([...nodeCommand("loadtest"), ...args], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

async function routeResponses(route: string): Promise<Record<string, number>> {
  const body = (await (await fetch(`${targetUrl}/metrics?format=json`)).json()) as { by_route: Record<string, { by_status: Record<string, number> }> };
  return body.by_route[route]?.by_status ?? {};
}

async function pings(): Promise<number> {
  return (await routeResponses("GET /ping"))["200"] ?? 0;
}

const lastLine = (text: string) => text.trim().split("\n").at(-1);

describe("thresholds on checks set loadtest's exit code", () => {
  test("checks>99% against /status/500 with --check status=200 exits 99 and names the threshold", async () => {
    const before = (await routeResponses("GET /status/:code"))["500"] ?? 0;
    const { code, stdout, stderr } = await loadtest("run", `${targetUrl}/status/500`, "--type", "avalanche", "--count", "20", "--check", "status=200", "--threshold", "checks>99%");
    const after = (await routeResponses("GET /status/:code"))["500"] ?? 0;
    expect({ code, failed: lastLine(stderr) }).toEqual({ code: 99, failed: "loadtest: threshold(s) failed: checks>99%" });
    expect(stdout).toContain("thresholds: 1 of 1 failed");
    expect(stdout).toMatch(/✗ checks>99% +checks = 0\.00% \(40 of 40 failed\)/);
    expect(stdout).toContain("first check failure of GET /status/500: status 500 not in [200]");
    // Every one of the 40 responses the target gave was a 500 that failed its check.
    expect(after - before).toBe(40);
  });

  test("the same against /ping passes and exits 0", async () => {
    const { code, stdout, stderr } = await loadtest("run", `${targetUrl}/ping`, "--type", "avalanche", "--count", "20", "--check", "status=200", "--threshold", "checks>99%");
    expect({ code, stderr: stderr.includes("threshold(s) failed") }).toEqual({ code: 0, stderr: false });
    expect(stdout).toContain("thresholds: all passed");
    expect(stdout).toMatch(/✓ checks>99% +checks = 100\.00% \(0 of 40 failed\)/);
  });

  test("per-request thresholds: p99{name:ping}<60000 passes; p99{name:nope}<1 is refused before the test, naming the names", async () => {
    const scenario = join(fleet.dir, "ping.json");
    writeFileSync(scenario, JSON.stringify({ test_type: "AVALANCHE", message_count_per_driver: 20, requests: [{ name: "ping", url: "/ping" }] }));
    const pingsBefore = await pings();
    const passed = await loadtest("run", `${targetUrl}/ping`, "--scenario", scenario, "--threshold", "p99{name:ping}<60000");
    expect({ code: passed.code, stderr: passed.stderr.includes("threshold(s) failed") }).toEqual({ code: 0, stderr: false });
    expect(passed.stdout).toMatch(/✓ p99\{name:ping\}<60000 +p99\{name:ping\} = [\d.]+ (ms|s)/);
    expect(await pings()).toBe(pingsBefore + 40);

    const refused = await loadtest("run", `${targetUrl}/ping`, "--scenario", scenario, "--threshold", "p99{name:ping}<60000", "--threshold", "p99{name:nope}<1");
    expect({ code: refused.code, stdout: refused.stdout, error: refused.stderr.split("\n")[0] }).toEqual({
      code: 2,
      stdout: "",
      error: 'loadtest run: --threshold "p99{name:nope}<1": no request named "nope"; the test\'s requests: "ping"',
    });
    // Refused before the test: not one request more reached the target.
    expect(await pings()).toBe(pingsBefore + 40);
  });
});
