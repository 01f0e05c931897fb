import { describe, expect, test } from "bun:test";
import { planTest, type RunPlan } from "../../../../src/driver/run-plan.ts";
import { createRequestSource } from "../../../../src/driver/scenario/request-source.ts";
import { TestConfigSchema } from "../../../../src/protocol/index.ts";

const BASE = { test_id: "t1", test_type: "AVALANCHE", message_count_per_driver: 100, target_url: "http://127.0.0.1:8080/ping" };

function plan(fields: Record<string, unknown>): RunPlan {
  const result = planTest(TestConfigSchema.parse({ ...BASE, ...fields }));
  if (!result.ok) throw new Error(result.error);
  return result.plan;
}

const text = (bytes: Uint8Array | null | undefined) => (bytes == null ? null : new TextDecoder().decode(bytes));
const options = { nodeId: "d1", testId: "t1", env: { TOKEN: "abc" }, now: () => 42, random: () => 0, uuid: () => "u-u" };

describe("createRequestSource", () => {
  test("a request with nothing templated is prebuilt once, in the pool's head format, and handed out as the same spec", () => {
    const source = createRequestSource(plan({ requests: [{ url: "/ping" }] }), options);
    const first = source.next(0);
    expect(text(first.wire)).toBe("GET /ping HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: kafka-loadtest\r\nAccept: */*\r\n\r\n");
    expect(source.next(1)).toBe(first);
    expect(first).toMatchObject({ request: 0, method: "GET", url: "http://127.0.0.1:8080/ping", headers: [], body: null, captureBodyBytes: 0 });
  });

  test("a JSON body with env and node templates only is still constant: headers, Content-Length and body in the wire", () => {
    const source = createRequestSource(
      plan({ requests: [{ method: "POST", url: "/items", headers: { authorization: "Bearer ${env:TOKEN}", "user-agent": "me" }, body: { n: "${node_id}", s: "é" } }] }),
      options,
    );
    const spec = source.next(0);
    const body = '{"n":"d1","s":"é"}';
    expect(text(spec.body)).toBe(body);
    expect(text(spec.wire)).toBe(
      `POST /items HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept: */*\r\nauthorization: Bearer abc\r\nuser-agent: me\r\ncontent-type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });

  test("an empty POST says Content-Length: 0", () => {
    const spec = createRequestSource(plan({ requests: [{ method: "POST", url: "/x" }] }), options).next(0);
    expect(text(spec.wire)).toEndWith("Accept: */*\r\nContent-Length: 0\r\n\r\n");
  });

  test("renders templated URL, headers and body per send, without wire bytes", () => {
    const source = createRequestSource(
      plan({
        data: [{ id: "a b" }, { id: "c" }],
        requests: [{ method: "PUT", url: "/items/${data.id}?seq=${seq}", headers: { "x-req": "${uuid}" }, body: "${seq}:${rand_int:5:9}:${now_ms}" }],
      }),
      options,
    );
    expect(source.next(0)).toEqual({
      request: 0,
      method: "PUT",
      url: "http://127.0.0.1:8080/items/a%20b?seq=0",
      headers: [["x-req", "u-u"]],
      body: new TextEncoder().encode("0:5:42"),
      captureBodyBytes: 0,
    });
    expect(source.next(5).url).toBe("http://127.0.0.1:8080/items/c?seq=5");
  });

  test("a request templated in its body only: head encoded once, each send's body rendered into its wire bytes (the same bytes a whole build gives)", () => {
    const source = createRequestSource(
      plan({ requests: [{ method: "POST", url: "/items", headers: { authorization: "Bearer ${env:TOKEN}" }, body: { id: "${node_id}-${seq}", s: "é" } }] }),
      options,
    );
    for (const seq of [0, 7, 123456]) {
      const spec = source.next(seq);
      const body = `{"id":"d1-${seq}","s":"é"}`;
      expect(text(spec.body)).toBe(body);
      expect(text(spec.wire)).toBe(
        `POST /items HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: kafka-loadtest\r\nAccept: */*\r\nauthorization: Bearer abc\r\ncontent-type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      expect(spec).toMatchObject({ request: 0, method: "POST", url: "http://127.0.0.1:8080/items", headers: [["authorization", "Bearer abc"], ["content-type", "application/json"]] });
    }
  });

  test("a released send's buffer is reused for a later send, never one still out, and the bytes are right either way", () => {
    const source = createRequestSource(plan({ requests: [{ method: "POST", url: "/items", body: "${seq}-fixed" }] }), options);
    const a = source.next(9);
    const b = source.next(10);
    expect(b.wire!.buffer).not.toBe(a.wire!.buffer);
    source.release!(a);
    source.release!(a); // a second release of one spec changes nothing
    const c = source.next(123456);
    expect(c.wire!.buffer).toBe(a.wire!.buffer);
    const d = source.next(7);
    expect(d.wire!.buffer).not.toBe(a.wire!.buffer);
    expect(text(b.body)).toBe("10-fixed");
    expect(text(c.body)).toBe("123456-fixed");
    expect(text(c.wire)).toEndWith("Content-Length: 12\r\n\r\n123456-fixed");
    expect(text(d.wire)).toEndWith("Content-Length: 7\r\n\r\n7-fixed");
  });

  test("picks by weight from the test's seq, and asks for the body only where a body_includes check needs it", () => {
    const source = createRequestSource(
      plan({ checks: { body_includes: "pong" }, requests: [{ name: "a", url: "/a", weight: 3 }, { name: "b", url: "/b", checks: { status: [200] } }] }),
      options,
    );
    expect(source.requests.map((r) => r.name)).toEqual(["a", "b"]);
    const picks = Array.from({ length: 8 }, (_, seq) => source.next(seq).request);
    expect(picks).toEqual([0, 0, 1, 0, 0, 0, 1, 0]);
    expect([source.next(0).captureBodyBytes, source.next(2).captureBodyBytes]).toEqual([65_536, 0]);
  });

  test("refuses a plan without requests (it sends its prebuilt GET instead)", () => {
    expect(() => createRequestSource(plan({}), options)).toThrow("the plan has no requests");
  });
});
