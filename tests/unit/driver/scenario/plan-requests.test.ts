import { describe, expect, test } from "bun:test";
import { planTest, type RunPlan } from "../../../../src/driver/run-plan.ts";
import { TestConfigSchema } from "../../../../src/protocol/index.ts";

const BASE = { test_id: "t1", test_type: "AVALANCHE", message_count_per_driver: 100, target_url: "http://127.0.0.1:8080/ping" };

function plan(fields: Record<string, unknown>): RunPlan {
  const result = planTest(TestConfigSchema.parse({ ...BASE, ...fields }));
  if (!result.ok) throw new Error(result.error);
  return result.plan;
}

describe("planTest with a scenario", () => {
  test("a configuration without scenario fields plans exactly as before (no requests, no scenario fields)", () => {
    expect(plan({})).toEqual({ testId: "t1", mode: "AVALANCHE", url: "http://127.0.0.1:8080/ping", count: 100, delayMs: 0, concurrency: 64, timeoutMs: 10_000 });
  });

  test("resolves requests: absolute URLs, upper-case methods, default names, JSON bodies with a content-type, checks own ?? test's ?? null", () => {
    const p = plan({
      checks: { status: [200] },
      requests: [
        { url: "/ping?x=1#frag", weight: 3 },
        { method: "post", url: "HTTP://127.0.0.1:8080/items", body: { id: "${seq}" }, headers: { authorization: "Bearer ${env:T}" }, checks: { body_includes: "ok", max_latency_ms: 50 } },
        { name: "raw", method: "PUT", url: "http://127.0.0.1:9090", body: "text", headers: { "Content-Type": "text/plain" } },
        { method: "PATCH", url: "/j", body: [1, 2], headers: { "CONTENT-TYPE": "application/merge-patch+json" } },
      ],
    });
    expect(p.requests).toEqual([
      { name: "GET /ping?x=1", method: "GET", url: "http://127.0.0.1:8080/ping?x=1", headers: [], body: null, weight: 3, checks: { status: [200] } },
      {
        name: "POST /items",
        method: "POST",
        url: "http://127.0.0.1:8080/items",
        headers: [["authorization", "Bearer ${env:T}"], ["content-type", "application/json"]],
        body: '{"id":"${seq}"}',
        weight: 1,
        checks: { bodyIncludes: "ok", maxLatencyMs: 50 },
      },
      { name: "raw", method: "PUT", url: "http://127.0.0.1:9090/", headers: [["Content-Type", "text/plain"]], body: "text", weight: 1, checks: { status: [200] } },
      { name: "PATCH /j", method: "PATCH", url: "http://127.0.0.1:8080/j", headers: [["CONTENT-TYPE", "application/merge-patch+json"]], body: "[1,2]", weight: 1, checks: { status: [200] } },
    ]);
    expect(plan({ requests: [{ url: "/a" }] }).requests![0]!.checks).toBeNull();
  });

  test("fills duration, stages, start rate, TLS and data in ms and req/s", () => {
    const p = plan({
      data: [{ id: 1 }],
      duration_s: 2.5,
      stages: [{ duration_s: 10, target_throughput: 200 }, { duration_s: 0.5, target_throughput: 0 }],
      start_throughput: 20,
      tls_insecure: true,
    });
    expect({ data: p.data, durationMs: p.durationMs, stages: p.stages, startThroughput: p.startThroughput, tlsInsecure: p.tlsInsecure }).toEqual({
      data: [{ id: 1 }],
      durationMs: 2_500,
      stages: [{ durationMs: 10_000, target: 200 }, { durationMs: 500, target: 0 }],
      startThroughput: 20,
      tlsInsecure: true,
    });
  });

  test("test-level checks without requests make one GET of target_url, so the checks apply", () => {
    expect(plan({ checks: { status: [204] } }).requests).toEqual([
      { name: "GET /ping", method: "GET", url: "http://127.0.0.1:8080/ping", headers: [], body: null, weight: 1, checks: { status: [204] } },
    ]);
  });

  test("a scenario of absolute URLs runs without target_url: the first request's URL stands in for the plan's", () => {
    const p = plan({ target_url: undefined, requests: [{ url: "http://127.0.0.1:9000/a" }] });
    expect(p.url).toBe("http://127.0.0.1:9000/a");
  });

  test("refuses what the API refuses: a path without target_url, ${data.X} without data", () => {
    const result = planTest(TestConfigSchema.parse({ ...BASE, target_url: undefined, requests: [{ url: "/x/${data.id}" }] }));
    expect(result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "requests.0.url: a path needs target_url (its origin is joined to the path); give target_url or an absolute URL",
      "requests.0.url: ${data.id} needs a data array of rows in the test",
    ]);
  });
});
