import { describe, expect, test } from "bun:test";
import { CLIENT_SOURCES } from "../../../src/dashboard/assets.ts";
import { clientModule, dashboardPage } from "../../../src/orchestrator/http/dashboard.ts";

describe("embedded dashboard", () => {
  test("every browser module imports only other embedded modules, and no type survives transpiling", () => {
    for (const file of Object.keys(CLIENT_SOURCES)) {
      const js = clientModule(file)!;
      const imports = [...js.matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]!);
      for (const spec of imports) expect({ file, spec, embedded: spec.startsWith("./") && spec.slice(2) in CLIENT_SOURCES }).toEqual({ file, spec, embedded: true });
      expect(js).not.toMatch(/import type|: TestView/);
    }
  });

  test("the page inlines its stylesheet and settings and loads the entry module", () => {
    const page = dashboardPage({ tokenRequired: true });
    expect(page).toContain('window.DASHBOARD_CONFIG = {"tokenRequired":true};');
    expect(page).toContain("--bg: #0b1020");
    expect(page).toContain('<script type="module" src="/dashboard/main.ts">');
    expect(page).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });
});
