import { describe, expect, test } from "bun:test";
import { issuesAsFlags, testRequestFromFlags, type TestFlags } from "../../../../src/cli/options.ts";

/** A readFile over an in-memory set of files; a missing one throws as node:fs does. */
function files(contents: Record<string, string>) {
  return {
    readFile: (path: string) => {
      const text = contents[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
      return text;
    },
  };
}

const NO_FILES = files({});
const TARGET = "http://127.0.0.1:8080/items";
const base = { type: "avalanche", target: TARGET } satisfies TestFlags;

function body(flags: TestFlags, deps = NO_FILES) {
  const result = testRequestFromFlags(flags, deps);
  if (!result.ok) throw new Error(`unexpected errors: ${result.errors.join("; ")}`);
  return result.body;
}

function errors(flags: TestFlags, deps = NO_FILES) {
  const result = testRequestFromFlags(flags, deps);
  return result.ok ? [] : result.errors;
}

describe("curl-like request flags", () => {
  test("-X, repeated -H and -d build one request to the target URL", () => {
    expect(body({ ...base, count: "10", method: "put", header: ["authorization: Bearer ${env:API_TOKEN}", "X-Trace:  a:b "], data: ['{"id":${seq}}'] })).toEqual({
      trigger: true,
      test_type: "AVALANCHE",
      message_count_per_driver: 10,
      target_url: TARGET,
      requests: [
        {
          method: "PUT",
          url: TARGET,
          headers: { authorization: "Bearer ${env:API_TOKEN}", "X-Trace": "a:b", "content-type": "application/json" },
          body: '{"id":${seq}}',
        },
      ],
    });
  });

  test("-d without -X is a POST; a non-JSON body gets curl's form content type; a given content type is kept", () => {
    expect(body({ ...base, count: "1", data: ["a=1&b=2"] }).requests).toEqual([
      { method: "POST", url: TARGET, headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1&b=2" },
    ]);
    expect(body({ ...base, count: "1", data: ["[1]"], header: ["Content-Type: text/plain"] }).requests).toEqual([
      { method: "POST", url: TARGET, headers: { "Content-Type": "text/plain" }, body: "[1]" },
    ]);
  });

  test("-H alone makes a GET with headers and no body; -X alone a bodiless request", () => {
    expect(body({ ...base, count: "1", header: ["accept: application/json"] }).requests).toEqual([{ method: "GET", url: TARGET, headers: { accept: "application/json" } }]);
    expect(body({ ...base, count: "1", method: "DELETE" }).requests).toEqual([{ method: "DELETE", url: TARGET }]);
  });

  test("-d @file sends the file's content as it is", () => {
    const deps = files({ "item.json": '{\n  "name": "x-${seq}"\n}\n' });
    expect(body({ ...base, count: "1", data: ["@item.json"] }, deps).requests).toEqual([
      { method: "POST", url: TARGET, headers: { "content-type": "application/json" }, body: '{\n  "name": "x-${seq}"\n}\n' },
    ]);
  });

  test("bad headers, a missing @file, two -d and no target are named", () => {
    expect(errors({ type: "avalanche", count: "1", header: ["no colon here", "bad name: x", "a: 1", "A: 2"], data: ["@missing.json"] })).toEqual([
      "-X/-H/-d need the target URL to send to: --target (the URL argument of run), or target_url in the --scenario file",
      '-H "no colon here": expected "name: value", e.g. -H \'authorization: Bearer x\' (no colon)',
      '-H "bad name: x": "bad name" is not a header name',
      '-H "A: 2": header A is given twice',
      "-d @missing.json: cannot read the file (ENOENT)",
    ]);
    expect(errors({ ...base, count: "1", data: ["a", "b"] })).toEqual(["-d is given 2 times; give the body once (-d @file for a long one)"]);
    expect(errors({ ...base, count: "1", data: ["@"] })).toEqual(['-d "@": name the file after @, e.g. -d @body.json']);
  });

  test("a body file over 1 MiB is refused before it is sent", () => {
    const deps = files({ "big.bin": "x".repeat(1024 * 1024 + 1) });
    expect(errors({ ...base, count: "1", data: ["@big.bin"] }, deps)).toEqual(["-d @big.bin: 1048577 bytes, more than the 1048576 a request body may have"]);
  });

  test("-k sets tls_insecure", () => {
    expect(body({ ...base, count: "1", insecure: true }).tls_insecure).toBe(true);
  });
});

describe("--duration, --stage and --check", () => {
  test("become duration_s, stages and checks, and --count may then be left out", () => {
    expect(body({ ...base, duration: "1m30s", stage: ["10s:200", "500ms:0.5", "2m:0"], check: ["status=200,201", "status=204", "body_includes=a=b,c", "max_latency_ms=500"] })).toEqual({
      trigger: true,
      test_type: "AVALANCHE",
      target_url: TARGET,
      duration_s: 90,
      stages: [
        { duration_s: 10, target_throughput: 200 },
        { duration_s: 0.5, target_throughput: 0.5 },
        { duration_s: 120, target_throughput: 0 },
      ],
      checks: { status: [200, 201, 204], body_includes: "a=b,c", max_latency_ms: 500 },
    });
  });

  test("duration units: ms, s, m, h, a bare number of seconds, and sums", () => {
    const durations = ["250ms", "30s", "2m", "1h", "45", "1h30m", "1.5s"].map((d) => body({ ...base, duration: d }).duration_s);
    expect(durations).toEqual([0.25, 30, 120, 3600, 45, 5400, 1.5]);
  });

  test("bad durations, stages and checks are each named", () => {
    expect(errors({ ...base, duration: "soon", stage: ["10s", "ten:5", "5s:-1", "5s:"], check: ["status=2000", "body_includes=", "max_latency_ms=0", "speed=fast", "status"] })).toEqual([
      '--duration: expected a duration like 30s, 500ms, 1m30s or 2h, got "soon"',
      '--stage "10s": expected <duration>:<requests/s per driver>, e.g. --stage 30s:200',
      '--stage "ten:5": expected a duration like 30s, 500ms, 1m30s or 2h, got "ten"',
      '--stage "5s:-1": expected <duration>:<requests/s per driver>, e.g. --stage 30s:200 (the rate must be a number >= 0)',
      '--stage "5s:": expected <duration>:<requests/s per driver>, e.g. --stage 30s:200 (the rate must be a number >= 0)',
      '--check "status=2000": "2000" is not an HTTP status (100 to 599)',
      '--check "body_includes=": give the text the body must include',
      '--check "max_latency_ms=0": max_latency_ms must be a number of milliseconds above 0',
      '--check "speed=fast": unknown check "speed"; expected status=<code>[,<code>…], body_includes=<text> or max_latency_ms=<ms>',
      '--check "status": expected status=<code>[,<code>…], body_includes=<text> or max_latency_ms=<ms>',
    ]);
    expect(errors({ ...base, duration: "0s" })).toEqual(['--duration must be more than 0, got "0s"']);
    expect(errors({ ...base, count: "1", check: ["body_includes=a", "body_includes=b", "max_latency_ms=1", "max_latency_ms=2"] })).toEqual([
      '--check "body_includes=b": body_includes is given twice',
      '--check "max_latency_ms=2": max_latency_ms is given twice',
    ]);
  });

  test("without --count, --duration or --stage the count is still required", () => {
    expect(errors({ ...base })).toEqual(["--count is required: requests per driver (or --duration/--stage to send for a time)"]);
  });
});

/** A scenario file's test; its JSON and YAML forms below. */
const SCENARIO = {
  test_type: "AVALANCHE",
  target_url: "http://127.0.0.1:8080",
  concurrency: 16,
  requests: [
    { name: "create", method: "POST", url: "/items", body: { n: 1 }, weight: 3 },
    { name: "read", url: "/items/${seq}" },
  ],
  stages: [{ duration_s: 5, target_throughput: 100 }],
  checks: { status: [200, 201] },
  thresholds: ["p99<300"],
};
const SCENARIO_JSON = JSON.stringify(SCENARIO);

const SCENARIO_YAML = `# the same test as SCENARIO_JSON
test_type: AVALANCHE
target_url: http://127.0.0.1:8080
concurrency: 16
requests:
  - name: create
    method: POST
    url: /items
    body: {n: 1}
    weight: 3
  - name: read
    url: /items/\${seq}
stages:
  - {duration_s: 5, target_throughput: 100}
checks:
  status: [200, 201]
thresholds:
  - p99<300
`;

describe("--scenario", () => {
  const deps = files({ "api.json": SCENARIO_JSON, "api.yaml": SCENARIO_YAML, "api.yml": SCENARIO_YAML });
  const { thresholds: _thresholds, ...fields } = SCENARIO;
  const expected = { trigger: true, ...fields };

  test("a JSON and a YAML file give the same body, and their thresholds stay in the CLI", () => {
    for (const path of ["api.json", "api.yaml", "api.yml"]) {
      const result = testRequestFromFlags({ scenario: path }, deps);
      expect(result.ok && { body: result.body, thresholds: result.thresholds.map((t) => t.text) }).toEqual({ body: expected, thresholds: ["p99<300"] });
    }
  });

  test("flags beside the file replace its fields, and --threshold replaces its thresholds", () => {
    const result = testRequestFromFlags(
      { scenario: "api.yaml", type: "tsunami", delay: "5", concurrency: "2", target: "http://t:9", stage: ["1s:10"], check: ["status=204"], duration: "3s", threshold: ["p50<9"], method: "GET" },
      deps,
    );
    expect(result.ok && { body: result.body, thresholds: result.thresholds.map((t) => t.text), sources: result.sources }).toEqual({
      body: {
        trigger: true,
        test_type: "TSUNAMI",
        test_message_delay: 5,
        target_url: "http://t:9",
        concurrency: 2,
        requests: [{ method: "GET", url: "http://t:9" }],
        stages: [{ duration_s: 1, target_throughput: 10 }],
        checks: { status: [204] },
        duration_s: 3,
      },
      thresholds: ["p50<9"],
      sources: {
        test_type: "--type",
        test_message_delay: "--delay",
        target_url: "--target",
        concurrency: "--concurrency",
        requests: "-X/-H/-d",
        stages: "--stage",
        checks: "--check",
        duration_s: "--duration",
      },
    });
  });

  test("-X/-H/-d beside a file send to the file's target_url", () => {
    expect(body({ scenario: "api.json", header: ["a: b"] }, deps).requests).toEqual([{ method: "GET", url: "http://127.0.0.1:8080", headers: { a: "b" } }]);
  });

  test("a file lacking the type, count or delay names both the flag and the file", () => {
    const bare = files({ "t.yaml": "target_url: http://t:1\n", "ts.json": '{"test_type":"tsunami","message_count_per_driver":1}' });
    expect(errors({ scenario: "t.yaml" }, bare)).toEqual([
      "--type is required (or test_type in t.yaml): avalanche or tsunami",
      "--count is required (or message_count_per_driver in t.yaml): requests per driver (or --duration/--stage to send for a time)",
    ]);
    expect(errors({ scenario: "ts.json" }, bare)).toEqual(["--delay is required for a tsunami test (or test_message_delay in ts.json) (milliseconds between sends)"]);
  });

  test("an unreadable, malformed or non-object file, and bad thresholds in it, are errors naming the file", () => {
    const bad = files({ "a.json": "{nope", "b.yaml": "a: [1\n", "c.yaml": "- 1\n- 2\n", "d.json": '{"test_type":"AVALANCHE","message_count_per_driver":1,"thresholds":["p99<<1"]}', "e.json": '{"thresholds":"p99<1"}' });
    expect(errors({ scenario: "missing.yaml" }, bad)).toEqual(["--scenario missing.yaml: cannot read the file (ENOENT)", expect.stringContaining("--type is required"), expect.stringContaining("--count is required")]);
    expect(errors({ ...base, count: "1", scenario: "a.json" }, bad)).toEqual([expect.stringMatching(/^--scenario a\.json: not valid JSON: /)]);
    expect(errors({ ...base, count: "1", scenario: "b.yaml" }, bad)).toEqual([expect.stringMatching(/^--scenario b\.yaml: not valid YAML: /)]);
    expect(errors({ ...base, count: "1", scenario: "c.yaml" }, bad)).toEqual(["--scenario c.yaml: must hold one mapping of test fields (test_type, requests, stages, …)"]);
    expect(errors({ scenario: "d.json" }, bad)).toEqual([expect.stringMatching(/^--scenario d\.json: thresholds "p99<<1": /)]);
    expect(errors({ ...base, count: "1", scenario: "e.json" }, bad)).toEqual(['--scenario e.json: thresholds must be a list of expressions like "p99<200"']);
  });

  test("the API's complaints name the file and path for its fields, and the flag for flag fields", () => {
    const result = testRequestFromFlags({ scenario: "api.yaml", count: "0", header: ["a: b"] }, deps);
    const sources = result.ok ? result.sources : {};
    expect(
      issuesAsFlags(
        [
          { path: "requests.0.headers.a", message: "bad header" },
          { path: "requests.0", message: "bad request" },
          { path: "stages", message: "must last more than 0 s" },
          { path: "message_count_per_driver", message: "must be at least 1" },
        ],
        sources,
      ),
    ).toEqual(["-H: bad header", "-X/-H/-d: bad request", "--scenario api.yaml: stages: must last more than 0 s", "--count: must be at least 1"]);
    expect(issuesAsFlags([{ path: "requests.1.weight", message: "must be a positive integer" }], { requests: "--scenario api.yaml" })).toEqual([
      "--scenario api.yaml: requests.1.weight: must be a positive integer",
    ]);
  });
});

describe("without the new flags", () => {
  test("the body is exactly the one before scenarios", () => {
    const result = testRequestFromFlags({ type: "avalanche", count: "100", concurrency: "8", rps: "50" }, NO_FILES);
    expect(result.ok && JSON.stringify(result.body)).toBe('{"trigger":true,"test_type":"AVALANCHE","message_count_per_driver":100,"target_throughput":50,"concurrency":8}');
  });
});
