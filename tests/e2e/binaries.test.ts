/**
 * The compiled executables in dist/ (`bun run build`), not the sources: each one runs alone in
 * an empty folder with no Bun on PATH, and a fleet of them (orchestrator, two drivers, target)
 * runs one test of each mode over the real broker with counts that match the target's own. The
 * orchestrator (with its dashboard) and one driver run as lone copies in empty folders.
 * dist/ is rebuilt first when it is missing or older than the sources.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import pkg from "../../package.json" with { type: "json" };
import { build, DIST_DIR, ENTRY_POINTS, staleExecutables, type ExecutableName } from "../../scripts/build.ts";
import { Fleet } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { completedByDriver, resetTarget, startTest, targetMetrics, waitForAlive, waitForTestEnd } from "../helpers/orchestrator-client.ts";
import { waitFor } from "../helpers/wait.ts";

// bunfig.toml's [test] timeout is not read by Bun 1.4.5 (the default stays 5 s, hooks included);
// this bounds each test and hook of the file. Every wait inside is bounded on its own too.
setDefaultTimeout(120_000);

const ROOT = join(import.meta.dir, "..", "..");
/** Executables whose entry point exists in this tree (the CLI may land after the nodes). */
const EXECUTABLES = (Object.keys(ENTRY_POINTS) as ExecutableName[]).filter((name) => existsSync(join(ROOT, ENTRY_POINTS[name])));
const COUNT_PER_DRIVER = { AVALANCHE: 500, TSUNAMI: 60 } as const;
const TSUNAMI_DELAY_MS = 5;

/** A folder holding only a copy of `name`, and an environment whose PATH is that folder alone. */
function isolatedCopy(name: ExecutableName): { dir: string; path: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), `lt-bin-${name}-`));
  const path = join(dir, name);
  copyFileSync(join(DIST_DIR, name), path);
  return { dir, path, env: { PATH: dir, HOME: dir } };
}

const cleanups: (() => void | Promise<void>)[] = [];

/**
 * When the orchestrator serves a dashboard page at `/`, every same-origin script, style and image
 * it references, and every module those scripts import, must answer 200 from the lone executable:
 * the assets come from inside it, not from files beside it.
 */
async function expectEmbeddedDashboard(orchestratorUrl: string): Promise<void> {
  const page = await fetch(`${orchestratorUrl}/`);
  const html = await page.text();
  expect({ status: page.status, html: (page.headers.get("content-type") ?? "").includes("text/html") }).toEqual({ status: 200, html: true });
  const pending = [...html.matchAll(/\b(?:src|href)="([^"#?]+)[^"]*"/g)].map((m) => new URL(m[1]!, `${orchestratorUrl}/`).href);
  const failed: string[] = [];
  const seen = new Set<string>();
  for (let url = pending.shift(); url !== undefined; url = pending.shift()) {
    if (seen.has(url) || !url.startsWith(`${orchestratorUrl}/`)) continue;
    seen.add(url);
    const response = await fetch(url);
    const body = await response.text();
    if (!response.ok || body.length === 0) failed.push(`${url}: ${response.status}`);
    if ((response.headers.get("content-type") ?? "").includes("javascript")) {
      for (const m of body.matchAll(/\bfrom\s*["'](\.{1,2}\/[^"']+)["']/g)) pending.push(new URL(m[1]!, url).href);
    }
  }
  expect(failed).toEqual([]);
  expect(seen.size).toBeGreaterThan(0);
}

beforeAll(async () => {
  const stale = staleExecutables(EXECUTABLES);
  if (stale.length > 0) {
    const result = await build(stale);
    if (result.failed.length > 0) throw new Error(`bun run build failed for ${result.failed.join(", ")}`);
  }
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("compiled executables", () => {
  test.each(EXECUTABLES)("%s answers --version and --help alone in an empty folder with no Bun on PATH", (name) => {
    const copy = isolatedCopy(name);
    cleanups.push(() => rmSync(copy.dir, { recursive: true, force: true }));
    expect(Bun.which("bun", { PATH: copy.env.PATH })).toBeNull();
    const run = (flag: string) => {
      const result = Bun.spawnSync([copy.path, flag], { cwd: copy.dir, env: copy.env, timeout: 20_000 });
      return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
    };
    const version = run("--version");
    expect({ code: version.code, stderr: version.stderr }).toEqual({ code: 0, stderr: "" });
    expect(version.stdout).toContain(pkg.version);
    const help = run("--help");
    expect({ code: help.code, stderr: help.stderr }).toEqual({ code: 0, stderr: "" });
    expect(help.stdout).toMatch(/usage/i);
  });

  test("a fleet of them runs an AVALANCHE and a TSUNAMI test with counts equal to the target's", async () => {
    const brokers = await requireKafka();
    const topicPrefix = uniqueTopicPrefix("binaries");
    const fleet = new Fleet({ brokers, topicPrefix, build: "dist" });
    const outsiders: Subprocess[] = [];
    cleanups.push(async () => {
      for (const proc of outsiders) proc.kill("SIGKILL");
      await fleet.stop();
    });
    /** Runs a lone copy of an executable in an empty folder: nothing of the repository around it. */
    const spawnOutsider = (name: ExecutableName, logName: string, args: string[]) => {
      const copy = isolatedCopy(name);
      cleanups.push(() => rmSync(copy.dir, { recursive: true, force: true }));
      const logPath = join(fleet.dir, `${logName}.log`);
      outsiders.push(
        Bun.spawn([copy.path, ...args], {
          cwd: copy.dir,
          env: { ...copy.env, LOG_LEVEL: "info" },
          stdout: Bun.file(logPath),
          stderr: Bun.file(logPath),
          stdin: "ignore",
        }),
      );
      return { dir: copy.dir, log: () => readFileSync(logPath, "utf8") };
    };

    const target = await fleet.target();
    const lone = spawnOutsider("orchestrator", "orchestrator", [
      "--port", "0", "--host", "127.0.0.1", "--db", "orchestrator.sqlite",
      "--brokers", brokers.join(","), "--topic-prefix", topicPrefix,
      "--target", `${target.url}/ping`, "--allow-target", "127.0.0.1",
    ]);
    const orchestratorUrl = (
      await waitFor("the lone orchestrator to listen", () => lone.log().match(/listening on (http:\/\/\S+)/)?.[1], { timeoutMs: 60_000, intervalMs: 50 })
    ).replace(/\/$/, "");
    await expectEmbeddedDashboard(orchestratorUrl);
    fleet.driver("bin-d1");
    // The lone driver sends on two Bun Workers: their entry point is bundled into the executable.
    const workersDriver = spawnOutsider("driver", "bin-d2", ["--node-id", "bin-d2", "--brokers", brokers.join(","), "--topic-prefix", topicPrefix, "--workers", "2"]);
    await waitForAlive(orchestratorUrl, ["bin-d1", "bin-d2"]);

    for (const test_type of ["AVALANCHE", "TSUNAMI"] as const) {
      const perDriver = COUNT_PER_DRIVER[test_type];
      await resetTarget(target.url);
      const created = await startTest(orchestratorUrl, {
        test_type,
        message_count_per_driver: perDriver,
        ...(test_type === "TSUNAMI" ? { test_message_delay: TSUNAMI_DELAY_MS } : {}),
      });
      const ended = await waitForTestEnd(orchestratorUrl, created.test_id);
      const seen = await targetMetrics(target.url);
      expect({ test_type, state: ended.state, error: ended.error }).toEqual({ test_type, state: "done", error: null });
      expect(completedByDriver(ended)).toEqual({ "bin-d1": perDriver, "bin-d2": perDriver });
      expect({ sent: ended.metrics.counts.sent, completed: ended.metrics.counts.completed, ok: ended.metrics.counts.status_2xx }).toEqual({
        sent: 2 * perDriver,
        completed: 2 * perDriver,
        ok: 2 * perDriver,
      });
      expect({ received: seen.ping.received, responses: seen.ping.responses, by_status: seen.by_status }).toEqual({
        received: ended.metrics.counts.sent,
        responses: ended.metrics.counts.completed,
        by_status: { "200": ended.metrics.counts.status_2xx },
      });
    }
    expect(workersDriver.log()).toContain("test runs on workers");
  });
});
