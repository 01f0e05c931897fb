import { afterEach, describe, expect, test } from "bun:test";
import type { z } from "zod";
import { createApp } from "../../../../src/orchestrator/http/app.ts";
import { openApiDocument, openApiPath } from "../../../../src/orchestrator/http/openapi/document.ts";
import { COMPONENTS, OPERATIONS, type ComponentName } from "../../../../src/orchestrator/http/openapi/operations.ts";
import { parseTestRequest } from "../../../../src/orchestrator/test-request.ts";
import { FakeDriverReports, startHarness } from "../fixtures.ts";

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

type Doc = { openapi: string; paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { example?: unknown }> }>; requestBody?: { content: Record<string, { example?: unknown }> } }>>; components: { schemas: Record<string, unknown> } };

const schemaOf = (name: ComponentName): z.ZodType => COMPONENTS[name].schema;

async function app(token?: string) {
  harness = await startHarness({ ids: ["t1"] });
  await harness.join("d1");
  return createApp(harness.orchestrator, { defaultTarget: "http://127.0.0.1:8080/ping", allowTargets: ["127.0.0.1"], token });
}

describe("OpenAPI document", () => {
  test("every route of the app is in the document with its method, and the document lists no route the app lacks", async () => {
    const routes = (await app("s3cret-token")).routes.filter((r) => r.method !== "ALL").map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`);
    const doc = openApiDocument() as Doc;
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    expect(routes.length).toBeGreaterThan(10);
    expect([...new Set(routes)].sort()).toEqual(documented.sort());
  });

  test("is OpenAPI 3.1, served at GET /openapi.json, and every $ref resolves to a component", async () => {
    const res = await (await app()).request("/openapi.json");
    const doc = (await res.json()) as Doc;
    expect({ status: res.status, openapi: doc.openapi }).toEqual({ status: 200, openapi: "3.1.0" });
    expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/(schemas|responses)\/(\w+)"/g)].map((m) => [m[1]!, m[2]!] as const);
    expect(refs.length).toBeGreaterThan(20);
    const components = doc.components as unknown as Record<string, Record<string, unknown>>;
    for (const [kind, name] of refs) expect({ ref: `${kind}/${name}`, found: components[kind]?.[name] !== undefined }).toEqual({ ref: `${kind}/${name}`, found: true });
  });

  test("every example validates against the schema it illustrates, and the document carries it as is", () => {
    const doc = openApiDocument() as Doc;
    let checked = 0;
    for (const op of OPERATIONS) {
      const served = doc.paths[openApiPath(op.path)]![op.method]!;
      if (op.body) {
        const parsed = schemaOf(op.body.json).safeParse(op.body.example);
        expect({ op: op.operationId, ok: parsed.success }).toEqual({ op: op.operationId, ok: true });
        expect(served.requestBody!.content["application/json"]!.example).toEqual(op.body.example);
        checked++;
      }
      for (const [status, response] of Object.entries(op.responses)) {
        if (!response.json) continue;
        const parsed = schemaOf(response.json).safeParse(response.example);
        expect({ op: op.operationId, status, issues: parsed.success ? [] : parsed.error.issues }).toEqual({ op: op.operationId, status, issues: [] });
        expect(served.responses[status]!.content!["application/json"]!.example).toEqual(response.example);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(15);
    // The create example passes the whole rule set of POST /tests, not only the field schema.
    const create = OPERATIONS.find((op) => op.operationId === "createTest")!;
    expect(parseTestRequest(create.body!.example, { defaultTarget: "http://127.0.0.1:8080/", allowTargets: ["127.0.0.1"] }).ok).toBe(true);
  });

  test("the app's real answers parse with the documented response schemas", async () => {
    const api = await app();
    const json = async (res: Response | Promise<Response>) => (await res).json();
    const post = (path: string, body: unknown) => api.request(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    const created = await post("/tests", { test_type: "AVALANCHE", message_count_per_driver: 2, trigger: true });
    expect(created.status).toBe(201);
    const answers: [ComponentName, unknown][] = [["TestView", await created.json()]];
    const reports = new FakeDriverReports("d1", "t1");
    await harness!.report(reports.window([1, 2]));
    await harness!.report(reports.window([], { final: true }));
    answers.push(
      ["TestView", await json(api.request("/tests/t1"))],
      ["TestPage", await json(api.request("/tests"))],
      ["Report", await json(api.request("/tests/t1/report"))],
      ["NodePage", await json(api.request("/nodes"))],
      ["Health", await json(api.request("/healthz"))],
      ["Error", await json(post("/tests", { test_type: "BLIZZARD" }))],
      ["Error", await json(api.request("/tests/nope"))],
      ["Error", await json(post("/tests/t1/stop", { stop_grace_ms: -1 }))],
      ["NodeDeleted", await json(api.request("/nodes/d1", { method: "DELETE" }))],
    );
    for (const [name, body] of answers) {
      const parsed = schemaOf(name).safeParse(body);
      expect({ name, issues: parsed.success ? [] : parsed.error.issues }).toEqual({ name, issues: [] });
      // zod drops keys a schema does not name: an answer equal to its parse has no undocumented field.
      expect({ name, body: parsed.data }).toEqual({ name, body });
    }
  });
});
