import { describe, expect, test } from "bun:test";
import { createTarget, type TargetServerOptions } from "../../target/server.ts";
import { waitFor } from "../helpers/wait.ts";

const N = 25;

function startTarget(options: TargetServerOptions = {}) {
  const target = createTarget({ port: 0, host: "127.0.0.1", ...options });
  return Object.assign(target, {
    get: (path: string, init?: RequestInit) => fetch(`${target.url}${path}`, init),
    json: async (path: string) => (await fetch(`${target.url}${path}`)).json(),
  });
}

async function pingTimes(get: (path: string) => Promise<Response>, path: string, count: number): Promise<Response[]> {
  const responses = await Promise.all(Array.from({ length: count }, () => get(path)));
  await Promise.all(responses.map((r) => r.arrayBuffer()));
  return responses;
}

describe("target /ping", () => {
  test("answers pong as JSON", async () => {
    using target = startTarget();
    const response = await target.get("/ping");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.text()).toBe('{"message":"pong"}');
  });

  test("counts every /ping exactly in the histogram and counters, and never counts /metrics", async () => {
    using target = startTarget();
    await pingTimes(target.get, "/ping", N);
    await target.get("/metrics").then((r) => r.text());
    const response = await target.get("/metrics");
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const lines = (await response.text()).split("\n");
    expect(lines).toContain(`request_seconds_count{addr="/ping",method="GET",status="200"} ${N}`);
    expect(lines).toContain(`request_seconds_bucket{addr="/ping",method="GET",status="200",le="+Inf"} ${N}`);
    expect(lines).toContain(`requests_received_total ${N}`);
    expect(lines).toContain(`responses_sent_total ${N}`);
    expect(lines.filter((line) => line.startsWith("request_seconds_count"))).toHaveLength(1);
  });

  test("reports the same counts as JSON", async () => {
    using target = startTarget();
    await pingTimes(target.get, "/ping", N);
    const { uptime_s, ...counts } = (await target.json("/metrics?format=json")) as { uptime_s: number };
    expect(uptime_s).toBeGreaterThan(0);
    expect(counts).toEqual({
      requests_received: N,
      responses_sent: N,
      in_flight: 0,
      by_status: { "200": N },
      by_addr: { "/ping": { received: N, responses: N } },
      ping: { received: N, responses: N },
      by_route: { "GET /ping": { responses: N, by_status: { "200": N } } },
    });
  });

  test("answers 500 injected to every request at error rate 1 and counts them by status", async () => {
    using target = startTarget({ error_rate: 1 });
    const responses = await Promise.all(Array.from({ length: N }, () => target.get("/ping")));
    expect(responses.map((r) => r.status)).toEqual(Array(N).fill(500));
    expect(new Set(await Promise.all(responses.map((r) => r.text())))).toEqual(new Set(['{"error":"injected"}']));
    expect(await target.json("/metrics?format=json")).toMatchObject({ by_status: { "500": N }, ping: { received: N, responses: N } });
    expect((await target.get("/metrics").then((r) => r.text())).split("\n")).toContain(
      `request_seconds_count{addr="/ping",method="GET",status="500"} ${N}`,
    );
  });

  test("holds every response for at least the minimum of the delay range, by the server's own histogram", async () => {
    const MIN_DELAY_MS = 20;
    using target = startTarget({ delay_ms: { min_ms: MIN_DELAY_MS, max_ms: 40 } });
    const responses = await pingTimes(target.get, "/ping", 10);
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    const lines = (await target.get("/metrics").then((r) => r.text())).split("\n");
    const labels = 'addr="/ping",method="GET",status="200"';
    const sum_s = Number(lines.find((line) => line.startsWith(`request_seconds_sum{${labels}}`))!.split(" ")[1]);
    expect(sum_s).toBeGreaterThanOrEqual((10 * MIN_DELAY_MS) / 1000);
    // No response may land in a bucket below the minimum delay.
    expect(lines).toContain(`request_seconds_bucket{${labels},le="0.01"} 0`);
    expect(lines).toContain(`request_seconds_count{${labels}} 10`);
  });

  test("counts a delayed request as received at once and as sent only when the delay ends", async () => {
    using target = startTarget();
    const pending = target.get("/ping?delay_ms=1000");
    await waitFor("the delayed request to be received", () => target.metrics.toJson(0).ping.received === 1);
    expect(target.metrics.toJson(0)).toMatchObject({ in_flight: 1, ping: { received: 1, responses: 0 } });
    expect((await pending).status).toBe(200);
    expect(target.metrics.toJson(0)).toMatchObject({ in_flight: 0, ping: { received: 1, responses: 1 } });
  });

  test("answers the status asked in the query string and rejects a bad override with 400", async () => {
    using target = startTarget();
    const unavailable = await target.get("/ping?status=503");
    expect([unavailable.status, await unavailable.json()]).toEqual([503, { error: "injected" }]);
    const bad = await target.get("/ping?delay_ms=later");
    expect([bad.status, await bad.json()]).toEqual([400, { error: "delay_ms: expected milliseconds like 50 or a range like 20-80" }]);
    expect(await target.json("/metrics?format=json")).toMatchObject({ by_status: { "400": 1, "503": 1 } });
  });
});

describe("target other routes", () => {
  test("answers 404 JSON to unknown paths and counts them under the unmatched address", async () => {
    using target = startTarget();
    const response = await target.get("/nope?x=1");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ error: "not found" });
    expect(await target.json("/metrics?format=json")).toMatchObject({
      requests_received: 1,
      responses_sent: 1,
      by_status: { "404": 1 },
      by_addr: { unmatched: { received: 1, responses: 1 } },
      ping: { received: 0, responses: 0 },
    });
  });

  test("zeroes every counter on POST /reset and refuses GET /reset", async () => {
    using target = startTarget();
    await pingTimes(target.get, "/ping", N);
    const refused = await target.get("/reset");
    expect([refused.status, refused.headers.get("allow")]).toEqual([405, "POST"]);
    await refused.arrayBuffer();
    const reset = await target.get("/reset", { method: "POST" });
    expect([reset.status, await reset.json()]).toEqual([200, { message: "reset" }]);
    expect(await target.json("/metrics?format=json")).toMatchObject({
      requests_received: 0,
      responses_sent: 0,
      by_status: {},
      ping: { received: 0, responses: 0 },
    });
    await pingTimes(target.get, "/ping", 3);
    expect(await target.json("/metrics?format=json")).toMatchObject({ ping: { received: 3, responses: 3 } });
  });

  test("refuses a second target on a port already taken", () => {
    using first = startTarget();
    expect(() => createTarget({ port: first.port, host: "127.0.0.1" })).toThrow();
  });
});

describe("target scenario routes", () => {
  test("POST /items reads the whole body and answers 201 with its size; other methods get 405", async () => {
    using target = startTarget();
    const big = "x".repeat(1024 * 1024 + 3);
    const answers = [];
    for (const body of ['{"name":"a"}', "", big]) {
      const r = await target.get("/items", { method: "POST", body, headers: { "content-type": "application/json" } });
      answers.push([r.status, r.headers.get("content-type"), await r.json()]);
    }
    expect(answers).toEqual([
      [201, "application/json", { bytes: 12 }],
      [201, "application/json", { bytes: 0 }],
      [201, "application/json", { bytes: 1024 * 1024 + 3 }],
    ]);
    const wrong = await target.get("/items");
    expect([wrong.status, wrong.headers.get("allow"), await wrong.json()]).toEqual([405, "POST", { error: "use POST" }]);
  });

  test("/items/:id echoes the id on GET, the body size on PUT and PATCH, 204 on DELETE, 405 otherwise", async () => {
    using target = startTarget();
    const get = await target.get("/items/node-1-42");
    expect([get.status, await get.json()]).toEqual([200, { id: "node-1-42" }]);
    const put = await target.get("/items/7", { method: "PUT", body: "hello" });
    expect([put.status, await put.json()]).toEqual([200, { id: "7", bytes: 5 }]);
    const patch = await target.get("/items/7", { method: "PATCH", body: "{}" });
    expect([patch.status, await patch.json()]).toEqual([200, { id: "7", bytes: 2 }]);
    const del = await target.get("/items/7", { method: "DELETE" });
    expect([del.status, await del.text()]).toEqual([204, ""]);
    const post = await target.get("/items/7", { method: "POST", body: "x" });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD, PUT, PATCH, DELETE"]);
    await post.arrayBuffer();
    const deeper = await target.get("/items/7/parts");
    expect(deeper.status).toBe(404);
    await deeper.arrayBuffer();
  });

  test("/status/:code answers that code for any method and 400 for a code it cannot answer", async () => {
    using target = startTarget();
    const answers = [];
    for (const [path, method] of [["/status/503", "GET"], ["/status/201", "POST"], ["/status/204", "GET"], ["/status/100", "GET"], ["/status/abc", "GET"], ["/status/600", "PUT"]] as const) {
      const r = await target.get(path, { method, ...(method === "GET" ? {} : { body: "x" }) });
      answers.push([r.status, await r.text()]);
    }
    expect(answers).toEqual([
      [503, '{"status":503}'],
      [201, '{"status":201}'],
      [204, ""],
      [400, '{"error":"status: 100 is informational (1xx), not a final answer; use 200 to 599"}'],
      [400, '{"error":"status: expected an HTTP status from 200 to 599, got \\"abc\\""}'],
      [400, '{"error":"status: expected an HTTP status from 200 to 599, got \\"600\\""}'],
    ]);
  });

  test("counts every request of every route exactly, by method and route, on /metrics in both forms", async () => {
    using target = startTarget();
    const sends = [
      ...Array.from({ length: N }, (_, i) => target.get("/items", { method: "POST", body: `{"i":${i}}` })),
      ...Array.from({ length: 2 * N }, (_, i) => target.get(`/items/${i}`)),
      ...Array.from({ length: 3 }, (_, i) => target.get(`/items/${i}`, { method: "PUT", body: "abc" })),
      ...Array.from({ length: 4 }, () => target.get("/status/500")),
      target.get("/ping"),
    ];
    await Promise.all((await Promise.all(sends)).map((r) => r.arrayBuffer()));
    const json = (await target.json("/metrics?format=json")) as Record<string, unknown>;
    expect(json).toMatchObject({
      requests_received: 3 * N + 8,
      responses_sent: 3 * N + 8,
      by_addr: {
        "/items": { received: N, responses: N },
        "/items/:id": { received: 2 * N + 3, responses: 2 * N + 3 },
        "/status/:code": { received: 4, responses: 4 },
        "/ping": { received: 1, responses: 1 },
      },
      ping: { received: 1, responses: 1 },
      by_route: {
        "POST /items": { responses: N, by_status: { "201": N } },
        "GET /items/:id": { responses: 2 * N, by_status: { "200": 2 * N } },
        "PUT /items/:id": { responses: 3, by_status: { "200": 3 } },
        "GET /status/:code": { responses: 4, by_status: { "500": 4 } },
        "GET /ping": { responses: 1, by_status: { "200": 1 } },
      },
    });
    const lines = (await target.get("/metrics").then((r) => r.text())).split("\n");
    expect(lines).toContain(`request_seconds_count{addr="/items",method="POST",status="201"} ${N}`);
    expect(lines).toContain(`request_seconds_count{addr="/items/:id",method="GET",status="200"} ${2 * N}`);
    expect(lines).toContain(`request_seconds_count{addr="/items/:id",method="PUT",status="200"} 3`);
    expect(lines).toContain(`request_seconds_count{addr="/status/:code",method="GET",status="500"} 4`);
    expect(lines).toContain(`request_seconds_count{addr="/ping",method="GET",status="200"} 1`);
  });
});
