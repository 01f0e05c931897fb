import { describe, expect, test } from "bun:test";
import { Http1ResponseParser } from "../../../src/driver/http1-parser.ts";

const bytes = (s: string) => Buffer.from(s, "latin1");

/** Feeds `response` split into `pieces` chunks; returns the last state and the captured body as text. */
function feed(parser: Http1ResponseParser, response: string, pieces = 1) {
  const b = bytes(response);
  const size = Math.ceil(b.byteLength / pieces);
  let state = "more";
  for (let at = 0; at < b.byteLength; at += size) state = parser.push(b.subarray(at, at + size));
  const body = parser.capturedBody();
  return { state, hasExtraBytes: parser.hasExtraBytes, body: body === undefined ? undefined : body.toString() };
}

describe("Http1ResponseParser for scenario requests", () => {
  test("a HEAD's response ends at its head whatever its Content-Length says, and the next response parses after reset", () => {
    const parser = new Http1ResponseParser(64 * 1024);
    parser.noBody = true;
    const head = feed(parser, "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
    parser.reset();
    const next = feed(parser, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    expect({ head, next }).toEqual({ head: { state: "done", hasExtraBytes: false, body: undefined }, next: { state: "done", hasExtraBytes: false, body: undefined } });
  });

  test("keeps the first captureMax body bytes of a sized, a chunked and a read-to-close body, in any chunking", () => {
    const results = [1, 3, 50].map((pieces) => {
      const sized = new Http1ResponseParser(1024);
      sized.captureMax = 6;
      const chunked = new Http1ResponseParser(1024);
      chunked.captureMax = 8;
      const untilClose = new Http1ResponseParser(1024);
      untilClose.captureMax = 100;
      const u = feed(untilClose, "HTTP/1.0 200 OK\r\n\r\nto the end", pieces);
      untilClose.endOfStream();
      return {
        sized: feed(sized, "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world", pieces).body,
        chunked: feed(chunked, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n5\r\nhijkl\r\n0\r\n\r\n", pieces).body,
        untilClose: u.body,
      };
    });
    expect(results).toEqual(Array(3).fill({ sized: "hello ", chunked: "abcdefgh", untilClose: "to the end" }));
  });

  test("grows its capture across many chunks without losing bytes, up to captureMax", () => {
    const parts = ["a".repeat(200), "b".repeat(300), "c".repeat(700)];
    const chunked = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${parts.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`).join("")}0\r\n\r\n`;
    const results = [1, 7, 400].map((pieces) => {
      const parser = new Http1ResponseParser(1024);
      parser.captureMax = 1000;
      return feed(parser, chunked, pieces).body;
    });
    expect(results).toEqual(Array(3).fill(`${parts[0]}${parts[1]}${"c".repeat(500)}`));
  });
});
