import { describe, expect, test } from "bun:test";
import { buildRequest, canUseWire, isIdempotent, originOf, RequestBuilder, targetIn } from "../../../src/driver/http1-request.ts";
import type { SendSpec } from "../../../src/driver/scenario/request-spec.ts";

const origin = originOf(new URL("http://127.0.0.1:8080/ping"));
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const spec = (fields: Partial<SendSpec> = {}): SendSpec => ({ request: 0, method: "GET", url: "http://127.0.0.1:8080/a", headers: [], body: null, captureBodyBytes: 0, ...fields });

describe("http1-request", () => {
  test("finds the request target of a URL on the origin, parsing only what is not spelled like it", () => {
    expect({
      path: targetIn("http://127.0.0.1:8080/a/b?x=1#frag", origin),
      bare: targetIn("http://127.0.0.1:8080", origin),
      query: targetIn("http://127.0.0.1:8080?x=1", origin),
      otherPort: targetIn("http://127.0.0.1:80801/a", origin),
      otherHost: targetIn("http://127.0.0.2:8080/a", origin),
      upperScheme: targetIn("HTTP://127.0.0.1:8080/a b", origin),
      notAUrl: targetIn("nonsense", origin),
    }).toEqual({ path: "/a/b?x=1", bare: "/", query: "/?x=1", otherPort: null, otherHost: null, upperScheme: "/a%20b", notAUrl: null });
  });

  test("writes method, target, Host, headers, defaults and Content-Length framing; drops the spec's own framing headers", () => {
    const post = buildRequest(spec({ method: "POST", headers: [["Content-Type", "application/json"], ["content-length", "999"], ["X-Id", "7"]], body: new TextEncoder().encode('{"a":1}') }), origin, "ua");
    const emptyPost = buildRequest(spec({ method: "POST" }), origin, "ua");
    const get = buildRequest(spec({ headers: [["host", "example"], ["user-agent", "mine"], ["accept", "text/plain"]] }), origin, "ua");
    expect({ post: text(post), emptyPost: text(emptyPost), get: text(get) }).toEqual({
      post: 'POST /a HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\nX-Id: 7\r\nUser-Agent: ua\r\nAccept: */*\r\nContent-Length: 7\r\n\r\n{"a":1}',
      emptyPost: "POST /a HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: ua\r\nAccept: */*\r\nContent-Length: 0\r\n\r\n",
      get: "GET /a HTTP/1.1\r\nhost: example\r\nuser-agent: mine\r\naccept: text/plain\r\n\r\n",
    });
  });

  test("refuses a header value with a line break, a name that is not a token, and a URL of another origin", () => {
    const error = (s: SendSpec) => {
      try {
        buildRequest(s, origin, "ua");
        return "built";
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect([error(spec({ headers: [["x", "a\r\nInjected: 1"]] })), error(spec({ headers: [["bad name", "v"]] })), error(spec({ url: "http://other/a" }))]).toEqual([
      "header x holds a line break",
      'header name "bad name" is not a token',
      "http://other/a is not on http://127.0.0.1:8080",
    ]);
  });

  test("keeps a request's head while its method, URL and headers stay the same, and rebuilds it when one changes, even in place", () => {
    const builder = new RequestBuilder(origin, "ua");
    const headers: [string, string][] = [["x-a", "1"]];
    const first = text(builder.build(spec({ method: "PUT", headers, body: new TextEncoder().encode("one") })));
    const second = text(builder.build(spec({ method: "PUT", headers, body: new TextEncoder().encode("three") })));
    const changed = text(builder.build(spec({ method: "PUT", headers: [["x-a", "2"]], body: new TextEncoder().encode("3") })));
    headers[0]![1] = "in place";
    const mutated = text(builder.build(spec({ method: "PUT", headers, body: null })));
    const head = "PUT /a HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nx-a: 1\r\nUser-Agent: ua\r\nAccept: */*\r\n";
    expect({ first, second, changed, mutated }).toEqual({
      first: `${head}Content-Length: 3\r\n\r\none`,
      second: `${head}Content-Length: 5\r\n\r\nthree`,
      changed: `${head.replace("x-a: 1", "x-a: 2")}Content-Length: 1\r\n\r\n3`,
      mutated: `${head.replace("x-a: 1", "x-a: in place")}Content-Length: 0\r\n\r\n`,
    });
  });

  test("uses a prebuilt wire only on its own origin; retries only idempotent methods", () => {
    const wire = new Uint8Array(1);
    expect({
      own: canUseWire(spec({ wire }), origin),
      other: canUseWire(spec({ wire, url: "http://127.0.0.1:80801/a" }), origin),
      none: canUseWire(spec(), origin),
      idempotent: (["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "POST", "PATCH"] as const).map(isIdempotent),
    }).toEqual({ own: true, other: false, none: false, idempotent: [true, true, true, true, true, false, false] });
  });
});
