import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadtest } from "../helpers/in-process-cli.ts";
import { createTarget, type Target } from "../../target/server.ts";

let target: Target;
let dir: string;
beforeAll(() => {
  target = createTarget({ port: 0, host: "127.0.0.1" });
  dir = mkdtempSync(join(tmpdir(), "cli-scenario-"));
});
afterAll(async () => {
  await target?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function scenarioFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("loadtest run --scenario", () => {
  test("runs the test a YAML file describes, on its target_url, with the file's thresholds judged", async () => {
    target.metrics.reset();
    const path = scenarioFile("ping.yaml", `test_type: TSUNAMI\ntest_message_delay: 2\nmessage_count_per_driver: 40\ntarget_url: ${target.url}/ping\nthresholds: ["errors<1%"]\n`);
    const { code, stdout } = await loadtest("run", "--scenario", path, "--drivers", "2");
    expect(code).toBe(0);
    expect(stdout).toContain("  requests ...... 80 sent, 80 completed");
    expect(stdout).toContain("✓ errors<1%");
    expect(target.metrics.toJson(0).ping.received).toBe(80);
  });

  test("flags beside the file replace its fields: the URL argument and --count", async () => {
    target.metrics.reset();
    const path = scenarioFile("elsewhere.json", JSON.stringify({ test_type: "AVALANCHE", message_count_per_driver: 1000, target_url: "http://127.0.0.1:1/nothing" }));
    const { code } = await loadtest("run", `${target.url}/ping`, "--scenario", path, "--drivers", "1", "--count", "7");
    expect(code).toBe(0);
    expect(target.metrics.toJson(0).ping.received).toBe(7);
  });

  test("the API's complaint about a field of the file names the file and the field", async () => {
    const path = scenarioFile("bad.yaml", `test_type: AVALANCHE\nmessage_count_per_driver: 0\ntarget_url: ${target.url}/ping\n`);
    const { code, stderr } = await loadtest("run", "--scenario", path);
    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toStartWith(`loadtest run: --scenario ${path}: message_count_per_driver: `);
  });
});
