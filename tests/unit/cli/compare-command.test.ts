import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../../src/cli/main.ts";
import { createApp } from "../../../src/orchestrator/http/app.ts";
import { findAll, parseXml } from "../../helpers/xml.ts";
import { FakeDriverReports, spread, startHarness } from "../orchestrator/fixtures.ts";

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** `loadtest compare` against an in-process API with t1 fast (1..2 ms) and t2 slow (5..10 ms), both done. */
async function cli() {
  harness = await startHarness({ ids: ["t1", "t2", "t3"] });
  await harness.join("d1");
  const app = createApp(harness.orchestrator, { defaultTarget: "http://127.0.0.1:8080/ping", allowTargets: ["127.0.0.1"] });
  for (const [id, from, to] of [["t1", 1, 2], ["t2", 5, 10]] as const) {
    await harness.orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 100, target_url: "http://127.0.0.1:8080/ping", trigger: true });
    await harness.report(new FakeDriverReports("d1", id).window(spread(100, from, to), { final: true }));
    harness.orchestrator.tick();
  }
  const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => app.request(String(url), init)) as unknown as typeof fetch;
  return async (...argv: string[]) => {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, { env: { LOADTEST_URL: "http://127.0.0.1:1" }, out: { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), tty: false }, fetch: fakeFetch });
    return { code, stdout, stderr };
  };
}

test("compare exits 99 on a regression beyond --max-regression, 0 within, and writes each verdict as JUnit", async () => {
  const run = await cli();
  const file = join(mkdtempSync(join(tmpdir(), "compare-")), "compare.xml");
  const failed = await run("compare", "t1", "t2", "--max-regression", "p50=10%", "--max-regression", "p99=10%", "--max-regression", "errors=0.1pp", "--junit", file);
  expect(failed.code).toBe(99);
  expect(failed.stdout).toMatch(/^\s+p99\s+.*\+.*✗ FAIL p99=10%$/m);
  expect(failed.stderr).toBe("loadtest: regression beyond --max-regression: p50=10%, p99=10%\n");
  const cases = findAll(parseXml(readFileSync(file, "utf8")), "testcase");
  expect(cases.map((c) => [c.attributes.name, c.children.map((f) => f.name)])).toEqual([
    ["max-regression errors=0.1pp", []],
    ["max-regression p50=10%", ["failure"]],
    ["max-regression p99=10%", ["failure"]],
  ]);

  const ok = await run("compare", "t1", "t2", "--max-regression", "p99=2000%", "--json");
  expect({ code: ok.code, passed: JSON.parse(ok.stdout).passed }).toEqual({ code: 0, passed: true });
});

test("compare names a bad --max-regression entry (exit 2), an unknown test and a running one (exit 1)", async () => {
  const run = await cli();
  const bad = await run("compare", "t1", "t2", "--max-regression", "p99=10%", "--max-regression", "p99<10");
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('loadtest compare: --max-regression "p99<10": expected <metric>=<n>%');
  const unknown = await run("compare", "t1", "nope");
  expect({ code: unknown.code, stderr: unknown.stderr }).toEqual({ code: 1, stderr: 'loadtest compare: no candidate test "nope"\n' });
  await harness!.orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 10, target_url: "http://127.0.0.1:8080/ping", trigger: true });
  const running = await run("compare", "t3", "t2");
  expect({ code: running.code, stderr: running.stderr }).toEqual({ code: 1, stderr: "loadtest compare: the base test t3 is still running: compare it once it has ended (follow it with 'loadtest watch')\n" });
  expect((await run("compare", "t1")).code).toBe(2);
});
