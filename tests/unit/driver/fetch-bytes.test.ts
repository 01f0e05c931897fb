import { expect, test } from "bun:test";
import { estimateRequestBytes, estimateResponseHeadBytes, FETCH_OWN_HEADER_BYTES } from "../../../src/driver/fetch-bytes.ts";
import { buildRequest, originOf } from "../../../src/driver/http1-request.ts";
import type { SendSpec } from "../../../src/driver/scenario/request-spec.ts";

test("estimates a fetch send's request bytes near what the pool writes, and a response head from its Headers", () => {
  const spec: SendSpec = {
    request: 0, method: "POST", url: "http://127.0.0.1:8080/items", headers: [["content-type", "application/json"]], body: new TextEncoder().encode('{"n":1}'), captureBodyBytes: 0,
  };
  const exact = buildRequest(spec, originOf(new URL(spec.url)), "kafka-loadtest").byteLength;
  const estimate = estimateRequestBytes(spec);
  const wire = new Uint8Array(123);
  const head = estimateResponseHeadBytes(new Response("x", { status: 201, statusText: "Created", headers: { "x-a": "bb" } }));
  // "HTTP/1.1 201 Created\r\n" (22) + "x-a: bb\r\n" (9) + "\r\n" (2)
  // The pool's request with fetch's own headers in place of the pool's User-Agent and Accept.
  const poolDefaults = "User-Agent: kafka-loadtest\r\nAccept: */*\r\n".length;
  expect({ estimate, wire: estimateRequestBytes({ ...spec, wire }), head }).toEqual({ estimate: exact - poolDefaults + FETCH_OWN_HEADER_BYTES, wire: 123, head: 33 });
});
