import { describe, expect, test } from "bun:test";
import { checkRunnable, MAX_REQUEST_BODY_BYTES, TestConfigSchema, parseTemplate, templateIssues, toIssues, validate, type Issue } from "../../../src/protocol/index.ts";

const BASE = { test_id: "t1", test_type: "AVALANCHE" as const, message_count_per_driver: 10, target_url: "http://127.0.0.1:8080/ping" };

/** Every issue a wire configuration gets: its fields', then the rules across them. */
function issuesOf(fields: Record<string, unknown>): Issue[] {
  const parsed = TestConfigSchema.safeParse({ ...BASE, ...fields });
  return parsed.success ? checkRunnable(parsed.data) : toIssues(parsed.error);
}

describe("scenario fields on the wire", () => {
  test("a configuration without the new fields parses exactly as before", () => {
    expect(validate("test_config", BASE)).toEqual({ ok: true, value: { ...BASE, test_message_delay: 0 } });
  });

  test("a full scenario parses: methods upper-cased, JSON bodies kept as values", () => {
    const parsed = TestConfigSchema.parse({
      ...BASE,
      requests: [
        { name: "ping", method: "get", url: "/ping", weight: 3 },
        { method: "POST", url: "http://127.0.0.1:8080/items", headers: { authorization: "Bearer ${env:API_TOKEN}" }, body: { id: "${node_id}-${seq}" }, checks: { status: [201] } },
      ],
      data: [{ id: 1 }],
      checks: { status: [200], body_includes: "pong", max_latency_ms: 500 },
      duration_s: "30",
      stages: [{ duration_s: 10, target_throughput: 200 }, { duration_s: 5, target_throughput: 0 }],
      start_throughput: 10,
      tls_insecure: true,
    });
    expect(parsed.requests![0]!.method).toBe("GET");
    expect(parsed.requests![1]!.body).toEqual({ id: "${node_id}-${seq}" });
    expect(parsed.duration_s).toBe(30);
    expect(checkRunnable(parsed)).toEqual([]);
  });

  test("names the field of each bad request: zero weight, unknown method, body over 1 MiB, unknown template", () => {
    expect(
      issuesOf({
        requests: [
          { url: "/a", weight: 0 },
          { url: "/b", method: "FETCH" },
          { url: "/c", method: "POST", body: "x".repeat(MAX_REQUEST_BODY_BYTES + 1) },
          { url: "/d", method: "POST", body: '{"id":"${foo}"}' },
          { url: "/e/${seq}", headers: { "x-id": "${rand_int:9:1}" } },
        ],
      }),
    ).toEqual([
      { path: "requests.0.weight", message: "must be at least 1" },
      { path: "requests.1.method", message: "must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" },
      { path: "requests.2.body", message: "must be at most 1048576 bytes (1 MiB) as sent" },
      { path: "requests.3.body", message: "unknown template ${foo}" },
      { path: "requests.4.headers.x-id", message: "template ${rand_int:9:1}: MIN must not exceed MAX" },
    ]);
  });

  test("a JSON body is measured and checked as the text it is sent as", () => {
    expect(issuesOf({ requests: [{ url: "/a", method: "POST", body: { pad: "x".repeat(MAX_REQUEST_BODY_BYTES) } }] })).toEqual([
      { path: "requests.0.body", message: "must be at most 1048576 bytes (1 MiB) as sent" },
    ]);
    expect(issuesOf({ requests: [{ url: "/a", method: "POST", body: { id: "${nope}" } }] })).toEqual([{ path: "requests.0.body", message: "unknown template ${nope}" }]);
  });

  test("refuses stages summing to 0 s, and ramps and durations past a day", () => {
    expect(issuesOf({ stages: [{ duration_s: 0, target_throughput: 10 }] })).toEqual([
      { path: "stages", message: "the stages last 0 s in all; give at least one a positive duration_s" },
    ]);
    expect(issuesOf({ stages: [{ duration_s: 50_000, target_throughput: 10 }, { duration_s: 50_000, target_throughput: 0 }] })).toEqual([
      { path: "stages", message: "the stages last 100000 s; the longest test is 86400 s" },
    ]);
    expect(issuesOf({ duration_s: 0 })).toEqual([{ path: "duration_s", message: "must be more than 0" }]);
    expect(issuesOf({ duration_s: 86_401 })).toEqual([{ path: "duration_s", message: "must be at most 86400 (24 h)" }]);
  });

  test("refuses URLs that are neither http(s) nor a path, templated hosts, credentials and spaces", () => {
    expect(
      issuesOf({
        requests: [
          { url: "ftp://127.0.0.1/x" },
          { url: "items" },
          { url: "http://${env:HOST}/x" },
          { url: "http://u:p@127.0.0.1/x" },
          { url: "/a b" },
        ],
      }).map((i) => `${i.path}: ${i.message}`),
    ).toEqual([
      'requests.0.url: scheme "ftp" is not allowed: use http or https',
      "requests.1.url: must be an absolute http(s) URL or a path starting with /",
      "requests.2.url: templates may only appear in the path and query, not in the scheme, host or port",
      "requests.3.url: must not carry credentials",
      "requests.4.url: must not contain spaces or control characters (percent-encode them)",
    ]);
  });

  test("refuses duplicate names, given or default", () => {
    expect(issuesOf({ requests: [{ url: "/a" }, { url: "http://127.0.0.1:8080/a" }, { name: "x", url: "/x" }, { name: "x", url: "/y" }] })).toEqual([
      { path: "requests.1.name", message: '"GET /a" is also the name of requests.0; names must be unique' },
      { path: "requests.3.name", message: '"x" is also the name of requests.2; names must be unique' },
    ]);
  });

  test("refuses headers the driver sets, malformed names and values, unknown request fields", () => {
    expect(
      issuesOf({ requests: [{ url: "/b", headers: { "Content-Length": "5", "bad name": "x", ok: "a\r\nb" } }, { url: "/c", wieght: 2 }] }).map((i) => `${i.path}: ${i.message}`),
    ).toEqual([
      "requests.0.headers.Content-Length: Content-Length is set by the driver; leave it out",
      "requests.0.headers.bad name: is not a valid header name",
      "requests.0.headers.ok: must not contain control characters (CR, LF, NUL)",
      'requests.1: Unrecognized key: "wieght"',
    ]);
  });

  test("bounds the count of requests, data rows and data bytes", () => {
    const paths = (fields: Record<string, unknown>) => issuesOf(fields).map((i) => `${i.path}: ${i.message}`);
    expect(paths({ requests: Array.from({ length: 65 }, (_, i) => ({ url: `/r${i}` })) })).toEqual(["requests: at most 64 requests"]);
    expect(paths({ requests: [] })).toEqual(["requests: give at least one request"]);
    expect(paths({ data: Array.from({ length: 10_001 }, () => ({})) })).toEqual(["data: at most 10000 rows"]);
    expect(paths({ data: [{ pad: "x".repeat(4 * 1024 * 1024) }] })).toEqual([`data: is ${4 * 1024 * 1024 + 12} bytes as JSON; at most 4194304 (4 MiB)`]);
  });
});

describe("scenario rules across fields (checkRunnable, the API's and the driver's)", () => {
  test("a path needs target_url; absolute URLs alone need none", () => {
    expect(issuesOf({ target_url: undefined, requests: [{ url: "/ping" }, { url: "http://127.0.0.1:8080/x" }] })).toEqual([
      { path: "requests.0.url", message: "a path needs target_url (its origin is joined to the path); give target_url or an absolute URL" },
    ]);
    expect(issuesOf({ target_url: undefined, requests: [{ url: "http://127.0.0.1:8080/x" }] })).toEqual([]);
    expect(issuesOf({ target_url: undefined }).map((i) => i.path)).toEqual(["target_url"]);
  });

  test("${data.FIELD} needs data rows", () => {
    expect(issuesOf({ requests: [{ url: "/u/${data.id}", method: "POST", body: "${data.name}" }] })).toEqual([
      { path: "requests.0.url", message: "${data.id} needs a data array of rows in the test" },
      { path: "requests.0.body", message: "${data.name} needs a data array of rows in the test" },
    ]);
    expect(issuesOf({ requests: [{ url: "/u/${data.id}" }], data: [{ id: 1 }] })).toEqual([]);
  });

  test("a duration or a ramp bounds the test, so a huge count with a low rate is no longer a 'too long' test", () => {
    const slow = { message_count_per_driver: 100_000_000, target_throughput: 1 };
    expect(issuesOf(slow).map((i) => i.path)).toEqual(["target_throughput"]);
    expect(issuesOf({ ...slow, duration_s: 60 })).toEqual([]);
    expect(issuesOf({ ...slow, stages: [{ duration_s: 60, target_throughput: 1 }] })).toEqual([]);
  });
});

describe("template grammar", () => {
  test("splits text and the eight templates; anything else is unknown", () => {
    expect(parseTemplate("a${seq}b${node_id}${test_id}${uuid}${now_ms}${rand_int:-5:5}${env:API_TOKEN}${data.user.id}c")).toEqual({
      tokens: [
        { kind: "text", text: "a" },
        { kind: "seq" },
        { kind: "text", text: "b" },
        { kind: "node_id" },
        { kind: "test_id" },
        { kind: "uuid" },
        { kind: "now_ms" },
        { kind: "rand_int", min: -5, max: 5 },
        { kind: "env", name: "API_TOKEN" },
        { kind: "data", field: "user.id" },
        { kind: "text", text: "c" },
      ],
      issues: [],
    });
    expect(templateIssues("${foo} ${env:} ${rand_int:1} ${seq")).toEqual(["unknown template ${foo}", "unknown template ${env:}", "unknown template ${rand_int:1}", "unclosed template ${seq"]);
    expect(templateIssues("no templates, $ and {braces}")).toEqual([]);
  });
});
