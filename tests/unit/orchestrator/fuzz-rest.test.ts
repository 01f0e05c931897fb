/**
 * The REST API fuzzed in-process (app.request, no socket) with thousands of seeded invalid
 * requests: bodies with 1 to 3 fields broken (wrong types, out-of-range counts, rates, delays
 * and timeouts, non-http schemes, hosts outside the allowlist, unknown fields), bodies that are
 * not objects or not JSON, oversized bodies, bad ids and bad queries. Every answer is a 4xx,
 * never a 5xx, and a 422 names exactly the broken fields. FUZZ_SEED reproduces a failure.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Hono } from "hono";
import { createApp, MAX_TEST_BODY_BYTES } from "../../../src/orchestrator/http/app.ts";
import { seededRandom } from "../../fault/helpers/malformed.ts";
import { startHarness } from "./fixtures.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout (5 s default); thousands of requests take a few seconds on a busy machine.
setDefaultTimeout(60_000);

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_124);
const CASES = 3_000;

/** Values each field must refuse (the base body is valid: TSUNAMI, 10 ms apart, 10 requests). */
const INVALID: Record<string, unknown[]> = {
  test_type: ["BLIZZARD", "", 1, null, true, [], {}, "AVALANCHE "],
  test_message_delay: [-1, -0.001, 3_600_001, "soon", true, [], {}, "1e999", 1e308],
  message_count_per_driver: [0, -1, 1.5, "ten", 100_000_001, null, [], true, 1e308, "1e3x"],
  target_url: [
    "file:///etc/passwd",
    "ftp://127.0.0.1/ping",
    "javascript:alert(1)",
    "gopher://127.0.0.1:70/",
    "not a url",
    "http://user:secret@127.0.0.1:8080/ping",
    "http://evil.example.com/ping",
    "https://169.254.169.254/latest/meta-data",
    `http://127.0.0.1/${"a".repeat(2_100)}`,
    42,
    null,
  ],
  target_throughput: [0, -5, "fast", 10_000_001, null, [], Number.MIN_VALUE * -1],
  concurrency: [0, -1, 1.5, 65_537, "many", null],
  timeout_ms: [0, -1, 1.5, 600_001, "soon", null],
  trigger: ["maybe", 1, null, {}, "yes"],
};
const FIELDS = Object.keys(INVALID);

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
let app: Hono;

beforeAll(async () => {
  harness = await startHarness();
  await harness.join("d1");
  app = createApp(harness.orchestrator, { defaultTarget: "http://127.0.0.1:8080/ping", allowTargets: ["127.0.0.1"] });
});

afterAll(async () => {
  await harness?.stop();
});

const post = (path: string, body: string) => app.request(path, { method: "POST", body, headers: { "content-type": "application/json" } });

describe(`REST API fuzz (FUZZ_SEED=${SEED})`, () => {
  test(`${CASES} bodies with broken fields: each a 422 naming exactly the broken fields`, async () => {
    const random = seededRandom(SEED);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const wrong: string[] = [];
    for (let n = 0; n < CASES; n++) {
      const body: Record<string, unknown> = { test_type: "TSUNAMI", test_message_delay: 10, message_count_per_driver: 10 };
      const broken = new Set<string>();
      const howMany = 1 + Math.floor(random() * 3);
      while (broken.size < howMany) {
        if (random() < 0.1) {
          const unknown = pick(["colour", "drivers", "__proto__x", "node_id", "TARGET_URL", "test_id"]);
          body[unknown] = 1;
          broken.add(unknown);
        } else {
          const field = pick(FIELDS);
          body[field] = pick(INVALID[field]!);
          broken.add(field);
        }
      }
      const res = await post("/tests", JSON.stringify(body));
      const answer = (await res.json()) as { error: string; issues: { path: string }[] };
      const named = [...new Set(answer.issues.map((i) => i.path))].sort();
      if (res.status !== 422 || named.join() !== [...broken].sort().join()) {
        wrong.push(`${res.status} ${JSON.stringify(body).slice(0, 300)} -> ${named.join(",")}: ${answer.error.slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test("bodies that are not an object, not JSON, empty or too large: 400/422/413, never 5xx", async () => {
    const random = seededRandom(SEED + 1);
    const statuses = new Map<number, number>();
    const bodies = [
      "",
      "   ",
      "null",
      "[]",
      "42",
      '"text"',
      "{",
      '{"test_type":',
      "\u0000\u0001",
      "{'single':'quotes'}",
      JSON.stringify({ test_type: "TSUNAMI", padding: "x".repeat(MAX_TEST_BODY_BYTES + 1) }),
      ...Array.from({ length: 500 }, () => Array.from({ length: 1 + Math.floor(random() * 80) }, () => String.fromCharCode(Math.floor(random() * 0x7f))).join("")),
    ];
    for (const body of bodies) {
      const res = await post("/tests", body);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect({ body: body.slice(0, 80), ok: res.status >= 400 && res.status < 500 }).toEqual({ body: body.slice(0, 80), ok: true });
      const answer = (await res.json()) as { error: string };
      expect(typeof answer.error).toBe("string");
    }
    expect([...statuses.keys()].sort()).toEqual([400, 413, 422]);
  });

  test("bad test ids and list queries: 404 or 422, never 5xx", async () => {
    const random = seededRandom(SEED + 2);
    const ids = ["x".repeat(500), "%00", "..%2F..%2Fetc", "%E2%80%AE", "a%20b", "null", ...Array.from({ length: 300 }, () => encodeURIComponent(String.fromCharCode(...Array.from({ length: 1 + Math.floor(random() * 20) }, () => 32 + Math.floor(random() * 200)))))];
    for (const id of ids) {
      for (const res of [await app.request(`/tests/${id}`), await app.request(`/tests/${id}/trigger`, { method: "POST" })]) {
        expect({ id, status: res.status }).toEqual({ id, status: 404 });
      }
    }
    for (const query of ["limit=0", "limit=101", "limit=abc", "offset=-1", "limit=1.5", "offset=1e999", "limit=", "limit=-0"]) {
      const res = await app.request(`/tests?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 422 });
    }
  });
});
