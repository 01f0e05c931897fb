// The fleet commands of `loadtest` against an orchestrator served in this process (memory bus).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "bun";
import type { Output } from "../../src/cli/follow.ts";
import { main } from "../../src/cli/main.ts";
import type { TestView } from "../../src/orchestrator/snapshot.ts";
import { startHarness, type Harness } from "./local-harness.ts";

const TOKEN = "s3cret-token";
let h: Harness;
let server: Server<unknown>;
const dir = mkdtempSync(join(tmpdir(), "cli-it-"));

beforeAll(async () => {
  h = await startHarness({ drivers: 2, token: TOKEN });
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: h.app.fetch });
});
afterAll(async () => {
  await server?.stop(true);
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function loadtest(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out: Output = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), tty: true };
  const code = await main(argv, { env: { LOADTEST_URL: server.url.href, ...env }, out });
  return { code, stdout, stderr };
}

describe("loadtest against an orchestrator", () => {
  test("start follows the test over SSE, redrawing one progress line, and its summary matches GET /tests/:id", async () => {
    const { code, stdout, stderr } = await loadtest(["start", "--type", "tsunami", "--count", "200", "--delay", "10", "--threshold", "p99<5000"], { ORCHESTRATOR_TOKEN: TOKEN });
    expect(code).toBe(0);
    const testId = /^test (\S+) started on 2 driver\(s\): local-1, local-2$/m.exec(stderr)![1]!;
    // On a terminal the line is redrawn in place with \r and ends with one newline.
    expect(stderr).toMatch(/\r\[[#.]{24}\] +\d+% .*\x1b\[K/);
    const rest = (await (await fetch(`${server.url}tests/${testId}`)).json()) as TestView;
    expect(rest.state).toBe("done");
    expect(stdout).toContain(`test ${testId} done`);
    expect(stdout).toContain(`  requests ...... 400 sent, 400 completed`);
    expect(stdout).toContain("✓ p99<5000");
  });

  test("start --no-wait prints the id; watch then follows it; list and report show it", async () => {
    const started = await loadtest(["start", "--type", "avalanche", "--count", "60", "--no-wait", "--token", TOKEN]);
    const testId = started.stdout.trim();
    expect({ code: started.code, id: /^[0-9a-f-]{36}$/.test(testId) }).toEqual({ code: 0, id: true });
    const watched = await loadtest(["watch", testId, "--json"]);
    const result = JSON.parse(watched.stdout) as { test: TestView; passed: boolean };
    expect({ code: watched.code, state: result.test.state, completed: result.test.metrics.counts.completed }).toEqual({ code: 0, state: "done", completed: 120 });

    const listed = await loadtest(["list", "--limit", "5"]);
    expect(listed.stdout.split("\n")[0]).toMatch(/^test +created +type +state/);
    expect(listed.stdout).toContain(testId);

    const out = join(dir, "report.html");
    const report = await loadtest(["report", testId, "--format", "html", "--out", out]);
    expect({ code: report.code, stderr: report.stderr.startsWith(`wrote ${out}`) }).toEqual({ code: 0, stderr: true });
    expect(readFileSync(out, "utf8")).toContain("<svg ");
    const csv = await loadtest(["report", testId, "--format", "csv"]);
    expect(csv.stdout.split("\r\n")[0]).toStartWith("test_id,second,scope,");
  });

  test("nodes lists the drivers and their health", async () => {
    const { code, stdout } = await loadtest(["nodes"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^local-1 +alive +127\.0\.0\.1/m);
    expect(stdout).toContain("2 alive of 2");
  });

  test("errors say what to do: missing token, API field problems as flags, unknown test, unreachable orchestrator", async () => {
    const noToken = await loadtest(["start", "--type", "avalanche", "--count", "5"]);
    expect({ code: noToken.code, hint: noToken.stderr.includes("Pass the orchestrator's token with --token or ORCHESTRATOR_TOKEN.") }).toEqual({ code: 1, hint: true });
    const badTarget = await loadtest(["start", "--type", "avalanche", "--count", "5", "--target", "http://10.9.9.9/x", "--token", TOKEN]);
    expect({ code: badTarget.code, line: badTarget.stderr.split("\n")[0] }).toEqual({ code: 2, line: expect.stringContaining("loadtest start: --target: target 10.9.9.9 is not allowed") });
    const unknown = await loadtest(["watch", "no-such-test"]);
    expect({ code: unknown.code, stderr: unknown.stderr }).toEqual({ code: 1, stderr: "loadtest watch: no test no-such-test\n" });
    const down = await loadtest(["nodes", "--orchestrator", "http://127.0.0.1:9"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("cannot reach the orchestrator at http://127.0.0.1:9");
    expect(down.stderr).toContain('Is it running? Start it with "bun run orchestrator"');
  });
});
