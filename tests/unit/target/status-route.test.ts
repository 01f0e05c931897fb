import { describe, expect, test } from "bun:test";
import { parseStatusCode } from "../../../target/status-route.ts";

describe("parseStatusCode", () => {
  test("takes every final status from 200 to 599", () => {
    expect(["200", "201", "204", "302", "404", "500", "599"].map(parseStatusCode)).toEqual([200, 201, 204, 302, 404, 500, 599]);
  });

  test("refuses informational codes, codes out of range and what is not a code, saying why", () => {
    expect(parseStatusCode("100")).toBe("100 is informational (1xx), not a final answer; use 200 to 599");
    expect(["600", "99", "abc", "2e2", "0200", "-20"].map(parseStatusCode)).toEqual(
      ["600", "99", "abc", "2e2", "0200", "-20"].map((t) => `expected an HTTP status from 200 to 599, got "${t}"`),
    );
  });
});
