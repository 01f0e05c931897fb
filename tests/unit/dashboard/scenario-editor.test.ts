import { describe, expect, test } from "bun:test";
import { renderTlsWarning, scenarioFields, withScenario } from "../../../src/dashboard/client/scenario-editor.ts";

describe("the start form's scenario box", () => {
  const form = { trigger: true, test_type: "AVALANCHE", message_count_per_driver: 1000, concurrency: 8 };

  test("adds its fields to the form's, its keys winning and the trigger kept", () => {
    const scenario = '{"requests":[{"method":"POST","url":"/items","body":{"n":1}}],"checks":{"status":[201]},"message_count_per_driver":5,"trigger":false}';
    expect(withScenario(form, scenario)).toEqual({
      ok: true,
      body: { trigger: true, test_type: "AVALANCHE", message_count_per_driver: 5, concurrency: 8, requests: [{ method: "POST", url: "/items", body: { n: 1 } }], checks: { status: [201] } },
    });
  });

  test("leaves the form's body as it was when empty", () => {
    expect(withScenario(form, "  \n")).toEqual({ ok: true, body: form });
  });

  test("refuses text that is not JSON, or JSON that is not an object, before anything is posted", () => {
    expect(scenarioFields("{requests: []}")).toEqual({ ok: false, error: expect.stringMatching(/^Scenario: not valid JSON: /) });
    for (const text of ["[1]", "null", '"x"', "3"]) {
      expect(withScenario(form, text)).toEqual({ ok: false, error: expect.stringMatching(/^Scenario: expected a JSON object of test fields/) });
    }
  });
});

describe("the TLS warning of a test view", () => {
  test("shows only when the test accepts any certificate", () => {
    expect(renderTlsWarning({ tls_insecure: true })).toContain('data-testid="tls-insecure"');
    expect(renderTlsWarning({ tls_insecure: true })).toContain("TLS not verified");
    expect([renderTlsWarning({}), renderTlsWarning({ tls_insecure: false }), renderTlsWarning({ tls_insecure: "true" })]).toEqual(["", "", ""]);
  });
});
