import { describe, expect, test } from "bun:test";
import { SseParser } from "../../../../src/cli/sse-parser.ts";
import { formatSse } from "../../../../src/orchestrator/http/sse.ts";

describe("SSE framing", () => {
  test("an event is its name, an optional retry, the JSON as data and a blank line, and parses back", () => {
    const text = formatSse("snapshot", { a: "line\nbreak" }, 2000);
    expect(text).toBe('event: snapshot\nretry: 2000\ndata: {"a":"line\\nbreak"}\n\n');
    expect(new SseParser().push(text + formatSse("final", 1))).toEqual([
      { event: "snapshot", data: '{"a":"line\\nbreak"}' },
      { event: "final", data: "1" },
    ]);
  });
});
