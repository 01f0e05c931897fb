import { describe, expect, test } from "bun:test";
import { checkResponse } from "../../../../src/driver/scenario/checks.ts";

const text = (s: string) => new TextEncoder().encode(s);

describe("checkResponse", () => {
  test("passes when there are no checks or all hold", () => {
    expect(checkResponse(null, 500, 10_000)).toBeNull();
    expect(checkResponse({ status: [200, 201], bodyIncludes: "pong", maxLatencyMs: 500 }, 201, 12, text('{"message":"pong"}'))).toBeNull();
  });

  test("names the first failing check: status, then body, then latency", () => {
    const checks = { status: [200, 201], bodyIncludes: "pong", maxLatencyMs: 500 };
    expect(checkResponse(checks, 500, 612, text("nope"))).toBe("status 500 not in [200,201]");
    expect(checkResponse(checks, 200, 612, text("nope"))).toBe('body does not include "pong"');
    expect(checkResponse(checks, 200, 612, text("ping pong"))).toBe("latency 612 ms > 500 ms");
    expect(checkResponse({ maxLatencyMs: 1 }, 200, 1.25)).toBe("latency 1.3 ms > 1 ms");
  });

  test("a body_includes check fails without a captured body, and matches UTF-8 text anywhere in it", () => {
    expect(checkResponse({ bodyIncludes: "pong" }, 200, 1)).toBe('body does not include "pong"');
    expect(checkResponse({ bodyIncludes: "été" }, 200, 1, text("un été chaud"))).toBeNull();
    expect(checkResponse({ bodyIncludes: "aab" }, 200, 1, text("aaaab"))).toBeNull();
    expect(checkResponse({ bodyIncludes: "abc" }, 200, 1, text("ab"))).toBe('body does not include "abc"');
  });
});
