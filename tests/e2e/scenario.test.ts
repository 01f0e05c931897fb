import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Server } from "bun";
import { Fleet } from "../helpers/fleet.ts";
import { api } from "../helpers/http.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { waitFor } from "../helpers/wait.ts";

// Starts processes and talks to the real broker: the 5 s default is too short for a cold JVM.
setDefaultTimeout(180_000);

// Issue 11 end to end over the real broker: an orchestrator, two driver processes, our target
// and an in-test recording server, driven through the REST API with a weighted scenario
// (GET, POST with a templated JSON body and an auth header from the driver's environment,
// PUT with a templated path), then checks on /status/500 and on a body that lacks a text.

const TOKEN = "s3cret-token";
const DRIVERS = ["scn-a", "scn-b"];

let fleet: Fleet;
let orchestrator: ReturnType<typeof api>;
let targetUrl: string;
let recorder: Server<undefined>;
/** What the recording server saw of each POST: the body's id and the authorization header. */
const posted: { id: string; auth: string | null }[] = [];

async function byRoute(): Promise<Record<string, { responses: number }>> {
  const res = await fetch(`${targetUrl}/metrics?format=json`);
  return ((await res.json()) as { by_route: Record<string, { responses: number }> }).by_route;
}

const routeCount = (routes: Record<string, { responses: number }>, key: string) => routes[key]?.responses ?? 0;

async function runTest(body: Record<string, unknown>): Promise<any> {
  const created = await orchestrator.post("/tests", { ...body, trigger: true });
  if (created.status !== 201) throw new Error(`POST /tests answered ${created.status}: ${JSON.stringify(created.body)}`);
  const id = created.body.test_id as string;
  return waitFor(
    `test ${id} to end`,
    async () => {
      const view = (await orchestrator.get(`/tests/${id}`)).body;
      return ["done", "partial", "failed", "interrupted"].includes(view.state) ? view : null;
    },
    { timeoutMs: 90_000, intervalMs: 100 },
  );
}

beforeAll(async () => {
  recorder = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = (await req.json()) as { id: string };
      posted.push({ id: body.id, auth: req.headers.get("authorization") });
      return new Response(JSON.stringify({ ok: true }), { status: 201, headers: { "content-type": "application/json" } });
    },
  });
  const brokers = await requireKafka();
  fleet = new Fleet({ brokers, topicPrefix: uniqueTopicPrefix("scenario") });
  const target = await fleet.target("target");
  targetUrl = target.url;
  const orch = await fleet.orchestrator("orchestrator", ["--target", `${targetUrl}/ping`, "--allow-target", "127.0.0.1"]);
  orchestrator = api(orch.url);
  // driver a sends through the HTTP/1.1 pool, driver b through fetch: both paths carry scenarios.
  fleet.driver("scn-a", [], { API_TOKEN: TOKEN });
  fleet.driver("scn-b", ["--http-client", "fetch"], { API_TOKEN: TOKEN });
  await waitFor(
    "both drivers alive",
    async () => {
      const nodes = (await orchestrator.get("/nodes")).body.nodes as { node_id: string; status: string }[];
      return DRIVERS.every((id) => nodes.some((n) => n.node_id === id && n.status === "alive"));
    },
    { timeoutMs: 60_000 },
  );
});

afterAll(async () => {
  await fleet?.stop();
  recorder?.stop(true);
});

describe("request scenarios over Kafka", () => {
  test("a weighted 3-request scenario: per-request counts equal the servers' own, every templated id arrives once", async () => {
    const before = await byRoute();
    const count = 600;
    const view = await runTest({
      test_type: "AVALANCHE",
      message_count_per_driver: count,
      concurrency: 16,
      target_url: `${targetUrl}/ping`,
      requests: [
        { name: "ping", method: "GET", url: "/ping", weight: 3 },
        {
          name: "create",
          method: "POST",
          url: `http://127.0.0.1:${recorder.port}/items`,
          headers: { authorization: "Bearer ${env:API_TOKEN}" },
          body: { id: "${node_id}-${seq}", n: "${rand_int:1:1000}" },
          weight: 2,
          checks: { status: [201] },
        },
        { name: "update", method: "PUT", url: "/items/${node_id}-${seq}", body: "{\"seq\":${seq}}", weight: 1 },
      ],
    });
    const after = await byRoute();
    expect(view.state).toBe("done");
    const total = count * DRIVERS.length;
    expect(view.metrics.counts.completed).toBe(total);
    // Smooth weighted round-robin over 600 sends of weights 3:2:1: 300/200/100 per driver, exactly.
    const byRequest = view.by_request as Record<string, { counts: { sent: number; completed: number; status_2xx: number; check_failed?: number } }>;
    expect(Object.keys(byRequest).sort()).toEqual(["create", "ping", "update"]);
    expect(byRequest.ping!.counts.completed).toBe(300 * DRIVERS.length);
    expect(byRequest.create!.counts.completed).toBe(200 * DRIVERS.length);
    expect(byRequest.update!.counts.completed).toBe(100 * DRIVERS.length);
    expect(byRequest.create!.counts.check_failed ?? 0).toBe(0);
    // The servers' own counts per route.
    expect(routeCount(after, "GET /ping") - routeCount(before, "GET /ping")).toBe(byRequest.ping!.counts.status_2xx);
    expect(routeCount(after, "PUT /items/:id") - routeCount(before, "PUT /items/:id")).toBe(byRequest.update!.counts.status_2xx);
    expect(posted.length).toBe(byRequest.create!.counts.completed);
    // Every ${node_id}-${seq} id of a POST arrived exactly once, with the driver's own token.
    const ids = posted.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const node of DRIVERS) expect(ids.filter((id) => id.startsWith(`${node}-`)).length).toBe(200);
    expect(posted.every((p) => p.auth === `Bearer ${TOKEN}`)).toBe(true);
    // Latency figures per request, merged from both drivers.
    for (const name of ["ping", "create", "update"]) {
      const m = (view.by_request as any)[name].metrics;
      expect(m.p99).toBeGreaterThanOrEqual(m.median);
      expect(m.max).toBeGreaterThanOrEqual(m.p99);
    }
  });

  test("checks: /status/500 and a missing body text count as check_failed with the reason", async () => {
    const view = await runTest({
      test_type: "AVALANCHE",
      message_count_per_driver: 40,
      concurrency: 4,
      target_url: `${targetUrl}/ping`,
      checks: { status: [200] },
      requests: [
        { name: "err", url: "/status/500" },
        { name: "pong", url: "/ping", checks: { body_includes: "no-such-text" } },
        { name: "fine", url: "/ping" },
      ],
    });
    expect(view.state).toBe("done");
    const r = view.by_request as Record<string, { counts: { completed: number; status_5xx: number; check_failed?: number }; first_check_failure?: string }>;
    const perName = Math.round((40 * DRIVERS.length) / 3);
    expect(r.err!.counts.status_5xx).toBeGreaterThanOrEqual(perName - DRIVERS.length);
    expect(r.err!.counts.check_failed).toBe(r.err!.counts.completed);
    expect(r.err!.first_check_failure).toContain("500");
    expect(r.pong!.counts.check_failed).toBe(r.pong!.counts.completed);
    expect(r.pong!.first_check_failure).toContain("no-such-text");
    expect(r.fine!.counts.check_failed ?? 0).toBe(0);
    expect(view.metrics.counts.check_failed).toBe(r.err!.counts.completed + r.pong!.counts.completed);
  });

  test("bad scenarios answer 422 naming the field", async () => {
    const base = { test_type: "AVALANCHE", message_count_per_driver: 10, target_url: `${targetUrl}/ping` };
    const cases: [Record<string, unknown>, string][] = [
      [{ requests: [{ url: "/ping", weight: 0 }] }, "requests.0.weight"],
      [{ requests: [{ url: "/ping", method: "FETCH" }] }, "requests.0.method"],
      [{ requests: [{ url: "/ping", method: "POST", body: "x".repeat(1024 * 1024 + 1) }] }, "requests.0.body"],
      [{ requests: [{ url: "/ping?x=${nope}" }] }, "requests.0.url"],
      [{ requests: [{ url: "http://10.1.2.3/ping" }] }, "requests.0.url"],
      [{ stages: [{ duration_s: 0, target_throughput: 10 }] }, "stages"],
    ];
    for (const [extra, field] of cases) {
      const res = await orchestrator.post("/tests", { ...base, ...extra });
      expect(res.status).toBe(422);
      expect(JSON.stringify(res.body)).toContain(field);
    }
  });
});
