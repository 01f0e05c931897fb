/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) during a real
 * test over Kafka: a target, an orchestrator with a token, two drivers. The test is started
 * from the page's form; the figures must move every second and the final summary must match
 * GET /tests/:id. Screenshots go to tests/artifacts/dashboard-{live,final}.png.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { formatCount, formatMs } from "../../src/dashboard/client/format.ts";
import { Fleet } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { getTest, waitForAlive } from "../helpers/orchestrator-client.ts";
import type { TestView } from "../../src/orchestrator/snapshot.ts";

// bunfig.toml's [test] timeout is not read by Bun 1.4.5; this bounds each test and hook of the file.
setDefaultTimeout(180_000);

const ARTIFACTS = join(import.meta.dir, "..", "artifacts");
const TOKEN = "dashboard-e2e-token";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let fleet: Fleet;
let orchestratorUrl: string;
let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  const brokers = await requireKafka();
  fleet = new Fleet({ brokers, topicPrefix: uniqueTopicPrefix("dashboard") });
  const target = await fleet.target();
  const orchestrator = await fleet.orchestrator("orchestrator", ["--target", `${target.url}/ping`, "--allow-target", "127.0.0.1"], { ORCHESTRATOR_TOKEN: TOKEN });
  orchestratorUrl = orchestrator.url;
  fleet.driver("dash-d1");
  fleet.driver("dash-d2");
  await waitForAlive(orchestratorUrl, ["dash-d1", "dash-d2"], 60_000);
  profile = mkdtempSync(join(tmpdir(), "chromium-profile-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1360, height: 1400 },
  });
});

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await fleet?.stop();
});

const text = (page: Page, selector: string) => page.locator(selector).first().textContent();

describe("dashboard", () => {
  test("starts a test from the form with the token, shows figures moving every second, then a summary equal to the REST result", async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(orchestratorUrl);

    // With ORCHESTRATOR_TOKEN set the page asks for the token first.
    await page.locator("#token-dialog[open]").waitFor();
    await page.fill("#token-input", TOKEN);
    await page.click("#token-form button[value=save]");
    await page.locator('[data-node="dash-d2"][data-status="alive"]').waitFor();

    // TSUNAMI, 2 drivers x 250 requests every 20 ms: about 5 s.
    await page.selectOption("#f-type", "TSUNAMI");
    await page.fill("input[name=message_count_per_driver]", "250");
    await page.fill("#f-delay", "20");
    await page.click("#start-button");
    await page.locator('[data-testid="test-state"]', { hasText: "running" }).waitFor();
    const testId = (await text(page, '[data-testid="test-id"]'))!;

    // Every change of the "sent" figure while the test runs, with when it happened.
    const changes: { at: number; sent: string }[] = [];
    let last = (await text(page, '[data-testid="stat-sent"]')) ?? "";
    for (;;) {
      await page.waitForFunction(
        (prev) => document.querySelector('[data-testid="stat-sent"]')?.textContent !== prev || !document.querySelector("#summary")?.hasAttribute("hidden"),
        last,
        { polling: 50, timeout: 10_000 },
      );
      if ((await page.locator("#summary").getAttribute("hidden")) === null) break;
      last = (await text(page, '[data-testid="stat-sent"]'))!;
      changes.push({ at: performance.now(), sent: last });
      if (changes.length === 3) await page.screenshot({ path: join(ARTIFACTS, "dashboard-live.png"), fullPage: true });
    }
    const sentValues = changes.map((c) => Number(c.sent.replace(/,/g, "")));
    expect(changes.length).toBeGreaterThanOrEqual(3);
    expect(sentValues).toEqual([...sentValues].sort((a, b) => a - b));
    // Updates come about once a second (each driver reports every second over Kafka): the
    // typical gap is a second, and even a slow report leaves no 3 s without a change.
    const gaps = changes
      .slice(1)
      .map((c, i) => c.at - changes[i]!.at)
      .sort((a, b) => a - b);
    expect({ median: gaps[Math.floor(gaps.length / 2)]! < 1_600, longest: gaps.at(-1)! < 3_000 }).toEqual({ median: true, longest: true });

    await page.locator('[data-testid="test-state"]', { hasText: "done" }).waitFor();
    const rest = (await getTest(orchestratorUrl, testId)) as unknown as TestView;
    const summary = async (key: string) => text(page, `[data-summary="${key}"]`);
    expect({
      state: await summary("state"),
      sent: await summary("sent"),
      completed: await summary("completed"),
      median: await summary("median"),
      p99: await summary("p99"),
      max: await summary("max"),
    }).toEqual({
      state: rest.state,
      sent: formatCount(rest.metrics.counts.sent),
      completed: formatCount(rest.metrics.counts.completed),
      median: formatMs(rest.metrics.latency?.median_latency),
      p99: formatMs(rest.metrics.latency?.p99_latency),
      max: formatMs(rest.metrics.latency?.max_latency),
    });
    expect(rest.metrics.counts.completed).toBe(500);
    // The driver table and the history show the test too.
    expect(await page.locator("#driver-table tr[data-driver]").count()).toBe(2);
    await page.locator(`#history tr[data-test="${testId}"]`).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-final.png"), fullPage: true });
    expect(errors).toEqual([]);
  });
});
