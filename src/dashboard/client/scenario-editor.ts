// The start form's scenario box: a JSON object of test fields (requests, checks, stages, …)
// added to the form's fields. Its content is judged by the API, whose 422 lists each bad field.
import { escapeHtml as e } from "../../format/format.ts";

/** The scenario box's text as test fields: empty is none; anything but a JSON object is refused. */
export function scenarioFields(text: string): { ok: true; fields: Record<string, unknown> } | { ok: false; error: string } {
  if (text.trim() === "") return { ok: true, fields: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `Scenario: not valid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, error: 'Scenario: expected a JSON object of test fields, e.g. {"requests": [{"method": "POST", "url": "/items", "body": {"n": 1}}]}' };
  }
  return { ok: true, fields: value as Record<string, unknown> };
}

/** The form's body with the scenario's fields added (the scenario's keys win; trigger stays true). */
export function withScenario(body: Record<string, unknown>, text: string): { ok: true; body: Record<string, unknown> } | { ok: false; error: string } {
  const scenario = scenarioFields(text);
  return scenario.ok ? { ok: true, body: { ...body, ...scenario.fields, trigger: true } } : scenario;
}

/** A warning for a test that accepts any TLS certificate (`tls_insecure`), empty otherwise. */
export function renderTlsWarning(config: object): string {
  if ((config as { tls_insecure?: unknown }).tls_insecure !== true) return "";
  return `<div class="banner banner-warn" role="note" data-testid="tls-insecure">${e("TLS not verified: this test accepts any certificate from its target (tls_insecure). Its results say nothing about the target's certificate.")}</div>`;
}
