/**
 * The dashboard's per-request table and the latency chart's request selector in a real browser
 * (Debian's Chromium through playwright-core), against an in-process orchestrator whose fake
 * drivers report a two-request scenario over a MemoryBus.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";
import { MemoryBroker, MemoryBus } from "../../src/bus/index.ts";
import { formatCount, formatMs } from "../../src/format/format.ts";
import { silentLogger } from "../../src/log.ts";
import { systemClock } from "../../src/orchestrator/clock.ts";
import { createApp } from "../../src/orchestrator/http/app.ts";
import { createOrchestrator, type Orchestrator } from "../../src/orchestrator/orchestrator.ts";
import type { TestView } from "../../src/orchestrator/snapshot.ts";
import { openSqliteStore } from "../../src/orchestrator/sqlite-store.ts";
import type { OrchestratorStore } from "../../src/orchestrator/store.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { ScenarioDriver } from "../helpers/scenario-driver.ts";
import { waitFor } from "../helpers/wait.ts";

// Bun 1.4.5 does not read bunfig's test timeout: this bounds each test and hook of the file.
setDefaultTimeout(120_000);

const dir = mkdtempSync(join(tmpdir(), "dashboard-requests-"));
let store: OrchestratorStore;
let orchestrator: Orchestrator;
let bus: MemoryBus;
let driverBus: MemoryBus;
let drivers: ScenarioDriver[] = [];
let server: ReturnType<typeof Bun.serve>;
let context: BrowserContext;
let closeBrowser: (() => Promise<void>) | undefined;

beforeAll(async () => {
  store = openSqliteStore(join(dir, "o.sqlite"));
  const broker = new MemoryBroker();
  bus = new MemoryBus(broker);
  orchestrator = createOrchestrator({ bus, store, clock: systemClock, log: silentLogger });
  await orchestrator.start();
  const app = createApp(orchestrator, { defaultTarget: "http://127.0.0.1:8080/ping", allowTargets: ["127.0.0.1"] });
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
  driverBus = new MemoryBus(broker);
  drivers = [new ScenarioDriver("d1", driverBus, { windows: 3, ping: 40, create: 10, failEvery: 5 }), new ScenarioDriver("d2", driverBus, { windows: 2, ping: 30, create: 20, failEvery: 4 })];
  for (const driver of drivers) await driver.start();
  await waitFor("both drivers alive", () => orchestrator.listNodes().filter((n) => n.status === "alive").length === 2);
  ({ context, close: closeBrowser } = await launchChromium());
});

afterAll(async () => {
  await closeBrowser?.();
  for (const driver of drivers) driver.stop();
  server?.stop(true);
  orchestrator?.stop();
  await driverBus?.close();
  await bus?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("dashboard per request", () => {
  test("shows a row per request name with its figures and first check failure, and the selector charts one request's latency", async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const created = await fetch(`${base}/tests`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ test_type: "AVALANCHE", message_count_per_driver: 150, trigger: true }) });
    const { test_id } = (await created.json()) as TestView;
    const done = await waitFor("the test to be done", async () => {
      const view = (await (await fetch(`${base}/tests/${test_id}`)).json()) as TestView;
      return view.state === "done" ? view : null;
    });

    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(base);
    await page.locator('[data-testid="request-table"] tr[data-request="create"]').waitFor();
    const cells = (name: string) => page.locator(`[data-testid="request-table"] tr[data-request="${name}"] td`).allTextContents();
    const create = done.by_request!.create!;
    expect({ ping: (await cells("ping")).slice(0, 5), create: await cells("create"), failure: await page.locator('[data-testid="request-table"] tr.check-failure').allTextContents() }).toEqual({
      ping: ["ping", "180", "180", "0", "0"],
      create: ["create", "70", "70", "16", "16", "77.14%", formatMs(create.metrics!.median), formatMs(create.metrics!.p99), formatMs(create.metrics!.max)],
      failure: [expect.stringMatching(/^first check failure: status 500 not in \[201\] \(d[12]\)$/)],
    });
    expect(await page.locator('[data-testid="request-select"] option').allTextContents()).toEqual(["all requests", "ping", "create"]);

    // All requests: the latency chart's p50 tops out at the slow request's ~100 ms; "ping" alone stays near 10-14 ms.
    const chartMaxLabel = () => page.locator("#latency-chart svg text").allTextContents();
    const before = await chartMaxLabel();
    const served = page.waitForResponse((r) => r.url().includes(`/tests/${test_id}/report?`) && r.url().includes("request=ping"));
    await page.selectOption('[data-testid="request-select"]', "ping");
    await served;
    await page.waitForFunction((old) => Array.from(document.querySelectorAll("#latency-chart svg text")).map((t) => t.textContent).join("|") !== old, before.join("|"));
    const yLabels = (labels: string[]) => labels.filter((l) => /ms$/.test(l)).map((l) => Number.parseFloat(l));
    expect({ allOver50: Math.max(...yLabels(before)) > 50, pingUnder50: Math.max(...yLabels(await chartMaxLabel())) < 50, sent: formatCount(done.metrics.counts.sent) }).toEqual({ allOver50: true, pingUnder50: true, sent: "250" });
    expect(errors).toEqual([]);
  });
});
