import { describe, expect, test } from "bun:test";
import { bundleClient } from "../../../src/dashboard/bundle.ts";
import { CLIENT_PATH, dashboardPage, dashboardRoutes } from "../../../src/orchestrator/http/dashboard.ts";

describe("embedded dashboard", () => {
  test("the browser client bundles into one module: no import left, no type survives, shared code inlined", async () => {
    const js = await bundleClient();
    expect(js).not.toMatch(/^\s*import\b|\bfrom\s*["']|import type|: TestView/m);
    // src/format and summarizeTest come along from outside the client folder.
    expect(js).toContain("function formatCount(");
    expect(js).toContain("function summarizeTest(");
  });

  test("the page inlines its stylesheet and settings and loads the one bundle", () => {
    const page = dashboardPage({ tokenRequired: true });
    expect(page).toContain('window.DASHBOARD_CONFIG = {"tokenRequired":true};');
    expect(page).toContain("--bg: #0b1020");
    expect(page).toContain(`<script type="module" src="${CLIENT_PATH}">`);
    expect(page).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  test("GET /dashboard/main.js serves the bundle as JavaScript, built once on the first request", async () => {
    const app = dashboardRoutes({ tokenRequired: false });
    const first = await app.request(CLIENT_PATH);
    const body = await first.text();
    expect({ status: first.status, type: first.headers.get("content-type"), big: body.length > 10_000 }).toEqual({ status: 200, type: "text/javascript; charset=utf-8", big: true });
    expect(await (await app.request(CLIENT_PATH)).text()).toBe(body);
  });
});
