/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) during a real
 * test over Kafka: a target, an orchestrator with a token, two drivers. The test is started
 * from the page's form; the figures must move every second and the final summary must match
 * GET /tests/:id. Screenshots go to tests/artifacts/dashboard-{live,final}.png.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { formatCount, formatMs } from "../../src/format/format.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { Fleet } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { getTest, waitForAlive } from "../helpers/orchestrator-client.ts";
import type { TestView } from "../../src/orchestrator/snapshot.ts";

// bunfig.toml's [test] timeout is not read by Bun 1.4.5; this bounds each test and hook of the file.
setDefaultTimeout(180_000);

const ARTIFACTS = join(import.meta.dir, "..", "artifacts");
const TOKEN = "dashboard-e2e-token";
const PER_DRIVER = 300;

let fleet: Fleet;
let orchestratorUrl: string;
let context: BrowserContext;
let closeBrowser: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const brokers = await requireKafka();
  fleet = new Fleet({ brokers, topicPrefix: uniqueTopicPrefix("dashboard") });
  const target = await fleet.target();
  const orchestrator = await fleet.orchestrator("orchestrator", ["--target", `${target.url}/ping`, "--allow-target", "127.0.0.1"], { ORCHESTRATOR_TOKEN: TOKEN });
  orchestratorUrl = orchestrator.url;
  fleet.driver("dash-d1");
  fleet.driver("dash-d2");
  await waitForAlive(orchestratorUrl, ["dash-d1", "dash-d2"], 60_000);
  ({ context, close: closeBrowser } = await launchChromium());
});

afterAll(async () => {
  await closeBrowser?.();
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

    // Every change of the "sent" figure while the test runs, timed in the page when the DOM
    // changes: polling it from here would add the test process's own delays to the gaps.
    await page.evaluate(() => {
      const changes: { at: number; sent: string }[] = [];
      (window as unknown as { sentChanges: typeof changes }).sentChanges = changes;
      new MutationObserver(() => {
        const sent = document.querySelector('[data-testid="stat-sent"]')?.textContent ?? "";
        const running = document.querySelector('[data-testid="test-state"]')?.textContent === "running";
        if (running && sent !== changes.at(-1)?.sent) changes.push({ at: performance.now(), sent });
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    const sentChanges = () => page.evaluate(() => (window as unknown as { sentChanges: { at: number; sent: string }[] }).sentChanges);

    // TSUNAMI, 2 drivers x 300 requests every 20 ms: about 6 s, so several one-second updates.
    await page.selectOption("#f-type", "TSUNAMI");
    await page.fill("input[name=message_count_per_driver]", String(PER_DRIVER));
    await page.fill("#f-delay", "20");
    await page.click("#start-button");
    await page.locator('[data-testid="test-state"]', { hasText: "running" }).waitFor();
    const testId = (await text(page, '[data-testid="test-id"]'))!;

    // The first entry is the figure the test appeared with; the others are the live updates.
    await page.waitForFunction(() => (window as unknown as { sentChanges: unknown[] }).sentChanges.length >= 4, undefined, { polling: 50, timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-live.png"), fullPage: true });

    await page.locator('[data-testid="test-state"]', { hasText: "done" }).waitFor();
    const changes = (await sentChanges()).slice(1);
    const sentValues = changes.map((c) => Number(c.sent.replace(/,/g, "")));
    expect(changes.length).toBeGreaterThanOrEqual(3);
    expect(sentValues).toEqual([...sentValues].sort((a, b) => a - b));
    // Updates come about once a second (the orchestrator pushes a snapshot a second, and each
    // driver reports every second over Kafka): the typical gap is about a second, neither a
    // burst per report nor a slower cadence, and even a late report leaves no 3 s without a change.
    const gaps = changes
      .slice(1)
      .map((c, i) => c.at - changes[i]!.at)
      .sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)]!;
    expect({ median: median > 600 && median < 1_600, longest: gaps.at(-1)! < 3_000, gaps }).toEqual({ median: true, longest: true, gaps });

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
    expect(rest.metrics.counts.completed).toBe(2 * PER_DRIVER);
    // The driver table and the history show the test too.
    expect(await page.locator("#driver-table tr[data-driver]").count()).toBe(2);
    await page.locator(`#history tr[data-test="${testId}"]`).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-final.png"), fullPage: true });
    expect(errors).toEqual([]);
  });

  test("the form's scenario box: bad JSON refused in the page, the API's 422 shown by field, good fields sent with the form's", async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(orchestratorUrl);
    await page.locator("#token-dialog[open]").waitFor();
    await page.fill("#token-input", TOKEN);
    await page.click("#token-form button[value=save]");
    const formError = page.locator("#form-error");

    await page.fill("#f-scenario", "{requests: []}");
    await page.click("#start-button");
    await formError.filter({ hasText: "Scenario: not valid JSON" }).waitFor();

    // Refused by the API whether or not it knows scenario requests: the field is named.
    await page.fill("#f-scenario", '{"requests": [{"url": "/ping", "weight": 0}]}');
    await page.click("#start-button");
    await formError.filter({ hasText: "Not started:" }).waitFor();
    expect(await formError.textContent()).toContain("• requests");

    await page.fill("#f-scenario", '{"message_count_per_driver": 40, "concurrency": 3}');
    const created = page.waitForResponse((r) => new URL(r.url()).pathname === "/tests" && r.request().method() === "POST" && r.status() === 201);
    await page.click("#start-button");
    const testId = ((await (await created).json()) as { test_id: string }).test_id;
    // The page showed the previous test until now: wait for this one to be shown done.
    await page.locator('[data-testid="test-id"]', { hasText: testId }).waitFor();
    await page.locator('[data-testid="test-state"]', { hasText: "done" }).waitFor();
    const rest = (await getTest(orchestratorUrl, testId)) as unknown as TestView;
    expect({ type: rest.config.test_type, count: rest.config.message_count_per_driver, concurrency: rest.config.concurrency, completed: rest.metrics.counts.completed }).toEqual({
      type: "AVALANCHE",
      count: 40,
      concurrency: 3,
      completed: 80,
    });
    expect(await formError.textContent()).toBe("");
    expect(errors).toEqual([]);
  });
});
