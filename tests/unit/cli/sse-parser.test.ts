import { describe, expect, test } from "bun:test";
import { SseParser } from "../../../src/cli/sse-parser.ts";

describe("SSE parser", () => {
  test("splits events across arbitrary chunk boundaries and skips ping comments", () => {
    const text = 'event: snapshot\nretry: 2000\ndata: {"a":1}\n\n: ping\n\nevent: final\r\ndata: line1\r\ndata: line2\r\n\r\ndata:plain\n\n';
    const whole = new SseParser().push(text);
    const parser = new SseParser();
    const chunked = [...text].flatMap((ch) => parser.push(ch));
    const expected = [
      { event: "snapshot", data: '{"a":1}' },
      { event: "final", data: "line1\nline2" },
      { event: "message", data: "plain" },
    ];
    expect({ whole, chunked }).toEqual({ whole: expected, chunked: expected });
  });

  test("holds an incomplete event until its blank line", () => {
    const parser = new SseParser();
    expect(parser.push("event: node\ndata: {}")).toEqual([]);
    expect(parser.push("\n\n")).toEqual([{ event: "node", data: "{}" }]);
  });
});
