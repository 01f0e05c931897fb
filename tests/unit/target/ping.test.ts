import { describe, expect, test } from "bun:test";
import { parseOverrides } from "../../../target/ping.ts";

describe("parseOverrides", () => {
  test("reads delay_ms and status, ignoring other parameters", () => {
    expect(parseOverrides("delay_ms=20-80&status=503&x=1")).toEqual({ delay_ms: { min_ms: 20, max_ms: 80 }, status: 503 });
    expect(parseOverrides("x=1")).toEqual({});
  });

  test("names the bad parameter", () => {
    expect(parseOverrides("delay_ms=soon")).toBe("delay_ms: expected milliseconds like 50 or a range like 20-80");
    expect(parseOverrides("status=99")).toBe('status: expected an HTTP status from 200 to 599, got "99"');
    expect(parseOverrides("status=600")).toBe('status: expected an HTTP status from 200 to 599, got "600"');
  });
});
