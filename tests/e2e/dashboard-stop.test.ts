/**
 * The dashboard's Stop button in a real browser (Debian's Chromium through playwright-core)
 * during a real test over Kafka: a target, an orchestrator with a token, two drivers. A long
 * capped test is started over REST; the page, opened without a token, asks for one when Stop is
 * pressed, says so when the token is wrong, and with the right one stops the test: `stopped`
 * badge, the reason in the summary, the `stopped` badge in the history, counts exact against
 * the target. A created test picked from the history has Cancel instead, which cancels it.
 * Screenshot: tests/artifacts/dashboard-stopped.png.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";
import { formatCount, shortId } from "../../src/format/format.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { Fleet } from "../helpers/fleet.ts";
import { api } from "../helpers/http.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { getTest, targetMetrics, waitForAlive, type TestJson } from "../helpers/orchestrator-client.ts";
import { waitFor } from "../helpers/wait.ts";

// bunfig.toml's [test] timeout is not read by Bun 1.4.5; this bounds each test and hook of the file.
setDefaultTimeout(180_000);

const ARTIFACTS = join(import.meta.dir, "..", "artifacts");
const TOKEN = "dashboard-stop-token";
const DRIVERS = ["dash-stop-d1", "dash-stop-d2"];
/** 100,000 requests per driver at 100/s: over 16 minutes if nobody stopped it. */
const PER_DRIVER = 100_000;

let fleet: Fleet;
let orchestratorUrl: string;
let targetUrl: string;
let context: BrowserContext;
let closeBrowser: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const brokers = await requireKafka();
  fleet = new Fleet({ brokers, topicPrefix: uniqueTopicPrefix("dashboard-stop") });
  targetUrl = (await fleet.target()).url;
  // Liveness is not the subject here: a loaded machine must not declare a driver dead.
  const orchestrator = await fleet.orchestrator("orchestrator", ["--target", `${targetUrl}/ping`, "--allow-target", "127.0.0.1", "--dead-after-ms", "10000"], { ORCHESTRATOR_TOKEN: TOKEN });
  orchestratorUrl = orchestrator.url;
  for (const id of DRIVERS) fleet.driver(id);
  await waitForAlive(orchestratorUrl, DRIVERS, 60_000);
  ({ context, close: closeBrowser } = await launchChromium());
});

afterAll(async () => {
  await closeBrowser?.();
  await fleet?.stop();
});

describe("dashboard Stop button", () => {
  test("asks for the token, refuses a wrong one, then stops a long capped test: stopped badge, reason in the summary and in the history, counts exact", async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(orchestratorUrl);
    // The page asks for the token at once; "Later" leaves it without one, so Stop has to ask again.
    await page.locator("#token-dialog[open]").waitFor();
    await page.click('#token-form button[value="cancel"]');
    await page.locator("#token-dialog:not([open])").waitFor({ state: "attached" });

    const started = await api(orchestratorUrl, { authorization: `Bearer ${TOKEN}` }).post<TestJson>("/tests", {
      test_type: "AVALANCHE",
      message_count_per_driver: PER_DRIVER,
      target_throughput: 100,
      concurrency: 4,
      target_url: `${targetUrl}/ping`,
      trigger: true,
    });
    expect(started.status).toBe(201);
    const testId = started.body.test_id;

    // The running test takes the panel over, with its Stop button.
    const head = page.locator("#test-head");
    await head.locator(`[data-testid="test-id"]`, { hasText: testId }).waitFor();
    await head.locator('[data-testid="test-state"]', { hasText: "running" }).waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="stat-sent"]')?.textContent?.replace(/,/g, "") ?? 0) > 0, undefined, { polling: 100, timeout: 30_000 });

    // Stop without a token: the dialog asks for it, and nothing is stopped.
    await page.click("#stop-test");
    await page.locator("#token-dialog[open]").waitFor();
    expect(await page.textContent("#token-error")).toBe("Enter the token to stop the test, then press Stop again.");
    expect((await getTest(orchestratorUrl, testId)).state).toBe("running");

    // A wrong token: the API answers 401 and the page asks again.
    await page.fill("#token-input", "not-the-token");
    await page.click('#token-form button[value="save"]');
    await page.click("#stop-test");
    await page.locator("#token-dialog[open]").waitFor();
    expect(await page.textContent("#token-error")).toBe("That token was refused; enter the orchestrator's ORCHESTRATOR_TOKEN, then press Stop again.");
    expect((await getTest(orchestratorUrl, testId)) as TestJson & { stop?: unknown }).not.toHaveProperty("stop");

    // The right token: Stop stops it.
    await page.fill("#token-input", TOKEN);
    await page.click('#token-form button[value="save"]');
    await page.click("#stop-test");
    await head.locator('[data-testid="test-state"]', { hasText: "stopped" }).waitFor({ timeout: 60_000 });

    const ended = (await getTest(orchestratorUrl, testId)) as TestJson & { stop?: { reason: string; by: string; unconfirmed?: string[] } };
    expect({ state: ended.state, stop: ended.stop }).toMatchObject({ state: "stopped", stop: { reason: "stopped from the dashboard", by: "user", unconfirmed: [] } });
    expect(ended.metrics.counts.sent).toBeLessThan(2 * PER_DRIVER);
    // Every request the drivers sent reached the target and was counted there (no test ran before this one).
    await waitFor("the target to have answered every request", async () => (await targetMetrics(targetUrl)).ping.responses === ended.metrics.counts.completed, { timeoutMs: 10_000 });
    expect({ sent: ended.metrics.counts.sent, stopped: ended.metrics.counts.stopped ?? 0, received: (await targetMetrics(targetUrl)).ping.received }).toEqual({
      sent: ended.metrics.counts.completed,
      stopped: 0,
      received: ended.metrics.counts.completed,
    });

    // The summary names who stopped it and why, with the REST figures; the stop button is gone.
    await page.locator('[data-summary="stop"]').waitFor();
    expect({
      stop: await page.textContent('[data-summary="stop"]'),
      state: await page.textContent('[data-summary="state"]'),
      completed: await page.textContent('[data-summary="completed"]'),
      stopButton: await page.locator('[data-testid="stop-button"]').count(),
    }).toEqual({ stop: "Stopped by the user: stopped from the dashboard", state: "stopped", completed: formatCount(ended.metrics.counts.completed), stopButton: 0 });

    // The history shows the stopped badge, with the reason on hover.
    const badge = page.locator(`#history tr[data-test="${testId}"] .badge-stopped`);
    await badge.waitFor();
    expect({ text: await badge.textContent(), title: await badge.getAttribute("title") }).toEqual({ text: "stopped", title: ended.error });
    expect(ended.error).toBe("stopped: stopped from the dashboard");
    // The drivers panel (from /nodes) no longer shows them running it, and has their final counts.
    for (const d of ended.per_driver) {
      const node = page.locator(`[data-node="${d.node_id}"]`);
      await node.locator(".node-meta", { hasText: "idle" }).waitFor();
      await node.locator(".node-right", { hasText: `${formatCount(d.counts.sent)} sent in ${shortId(testId)}` }).waitFor();
    }
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-stopped.png"), fullPage: true });
    expect(errors).toEqual([]);
  });

  test("Cancel on a created test picked from the history cancels it: stopped, never run", async () => {
    const created = await api(orchestratorUrl, { authorization: `Bearer ${TOKEN}` }).post<TestJson>("/tests", {
      test_type: "AVALANCHE",
      message_count_per_driver: PER_DRIVER,
      target_url: `${targetUrl}/ping`,
      trigger: false,
    });
    expect(created.status).toBe(201);
    const testId = created.body.test_id;
    const sentBefore = (await targetMetrics(targetUrl)).ping.received;

    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(orchestratorUrl);
    // A new tab has no token yet: saved at the first prompt this time.
    await page.locator("#token-dialog[open]").waitFor();
    await page.fill("#token-input", TOKEN);
    await page.click('#token-form button[value="save"]');
    await page.click(`#history tr[data-test="${testId}"]`);
    const head = page.locator("#test-head");
    await head.locator('[data-testid="test-state"]', { hasText: "created" }).waitFor();
    expect(await page.textContent("#stop-test")).toBe("Cancel");
    await page.click("#stop-test");
    await head.locator('[data-testid="test-state"]', { hasText: "stopped" }).waitFor();

    const ended = (await getTest(orchestratorUrl, testId)) as TestJson & { stop?: { reason: string; by: string } };
    expect({ state: ended.state, error: ended.error, sent: ended.metrics.counts.sent, stop: ended.stop }).toMatchObject({
      state: "stopped",
      error: "cancelled before its trigger: stopped from the dashboard",
      sent: 0,
      stop: { reason: "stopped from the dashboard", by: "user" },
    });
    await page.locator(`#history tr[data-test="${testId}"] .badge-stopped`).waitFor();
    expect((await targetMetrics(targetUrl)).ping.received).toBe(sentBefore);
    expect(errors).toEqual([]);
  });
});
