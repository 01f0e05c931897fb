import { describe, expect, test } from "bun:test";
import { Http1ResponseParser, type ParseState } from "../../../src/driver/http1-parser.ts";

const bytes = (text: string) => Buffer.from(text, "latin1");

/** Feeds `text` split at every given offset; returns each state and the parser. */
function feed(text: string, cuts: number[] = []): { states: ParseState[]; parser: Http1ResponseParser } {
  const parser = new Http1ResponseParser(1024);
  const states: ParseState[] = [];
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    states.push(parser.push(bytes(text.slice(from, cut))));
    from = cut;
  }
  return { states, parser };
}

const pong = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nContent-Length: 18\r\n\r\n{"message":"pong"}';

describe("Http1ResponseParser", () => {
  test("ends a Content-Length response in one chunk and keeps the connection alive", () => {
    const { states, parser } = feed(pong);
    expect({ states, status: parser.status, keepAlive: parser.keepAlive, extra: parser.hasExtraBytes }).toEqual({ states: ["done"], status: 200, keepAlive: true, extra: false });
  });

  test("finds the end of the head and of the body when every byte arrives alone", () => {
    const cuts = Array.from({ length: pong.length - 1 }, (_, i) => i + 1);
    const { states, parser } = feed(pong, cuts);
    expect({ last: states.at(-1), before: new Set(states.slice(0, -1)), status: parser.status }).toEqual({ last: "done", before: new Set(["more"]), status: 200 });
  });

  test("skips a chunked body with extensions and trailers split across chunks", () => {
    const text = "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: 1\r\n\r\n";
    const { states, parser } = feed(text, [40, 70, 75, 100, text.length - 3]);
    expect({ last: states.at(-1), status: parser.status, keepAlive: parser.keepAlive }).toEqual({ last: "done", status: 503, keepAlive: true });
  });

  test("skips 100 Continue, ends 204 and 304 without a body, and honours Connection: close", () => {
    const interim = feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
    const notModified = feed("HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n");
    expect([interim.states, interim.parser.status, interim.parser.keepAlive, notModified.states, notModified.parser.status]).toEqual([["done"], 204, false, ["done"], 304]);
  });

  test("reads a body without framing until the connection closes, and HTTP/1.0 closes unless asked", () => {
    const { states, parser } = feed("HTTP/1.0 200 OK\r\n\r\nsome bytes", [20]);
    expect({ states, keepAlive: parser.keepAlive, end: parser.endOfStream(), status: parser.status }).toEqual({ states: ["more", "more"], keepAlive: false, end: "done", status: 200 });
  });

  test("reports a cut-short body, a non-HTTP reply and an endless head as errors", () => {
    const cut = feed(pong.slice(0, pong.length - 3));
    const junk = feed("SSH-2.0-OpenSSH\r\n\r\n");
    const endless = feed(`HTTP/1.1 200 OK\r\nX: ${"a".repeat(2000)}`);
    expect([cut.parser.endOfStream(), junk.states, endless.states]).toEqual(["error", ["error"], ["error"]]);
  });

  test("reads the status line as fetch does: no status from a four-digit code, a code run into its reason, a lowercase or non-digit version", () => {
    // Regression (found by http1-parser-fuzz.test.ts): these were read as 200 at fixed offsets, or refused.
    const status = (line: string) => {
      const { states, parser } = feed(`${line}\r\nContent-Length: 0\r\n\r\n`);
      return states[0] === "done" ? parser.status : parser.error;
    };
    const lines = ["HTTP/1.1 2000 OK", "HTTP/1.1 200OK", "HTTP/1.1_200 OK", "HTTP/1.1 200\tOK", "http/1.1 200 OK", "HTTP/1.x 200 OK"];
    expect(lines.map(status)).toEqual(["bad status line", "bad status line", "bad status line", "bad status line", "not an HTTP/1.x response", "not an HTTP/1.x response"]);
    expect(["HTTP/1.1  201 OK", "HTTP/1.1 202", "HTTP/1.1 203 ", "HTTP/1.2 204 OK"].map(status)).toEqual([201, 202, 203, 204]);
    const bareLf = feed("HTTP/1.1 200\nContent-Length: 0\n\n");
    expect([bareLf.states, bareLf.parser.status]).toEqual([["done"], 200]);
  });

  test("reads header names in any case and refuses a Content-Length that is not a number", () => {
    const upper = feed("HTTP/1.1 200 OK\r\nCONTENT-LENGTH:  2 \r\nCONNECTION: Close\r\n\r\nok");
    const bad = feed("HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\nok");
    expect([upper.states, upper.parser.keepAlive, bad.states]).toEqual([["done"], false, ["error"]]);
  });

  test("flags bytes after the end of a response, and reset readies it for the next one", () => {
    const { states, parser } = feed(pong + "HTTP/1.1");
    const extra = parser.hasExtraBytes;
    parser.reset();
    expect({ states, extra, fresh: parser.isFresh(), next: parser.push(bytes(pong)) }).toEqual({ states: ["done"], extra: true, fresh: true, next: "done" });
  });
});

describe("Http1ResponseParser with lenient or odd framing", () => {
  test("accepts a head whose status and header lines end in a bare LF, whole or split at every byte", () => {
    const text = "HTTP/1.1 200 OK\nContent-Length: 2\nConnection: keep-alive\n\nok";
    const whole = feed(text);
    const split = feed(text, Array.from({ length: text.length - 1 }, (_, i) => i + 1));
    const mixed = feed("HTTP/1.1 404 Not Found\r\nContent-Length: 3\n\r\nnop");
    expect([whole.states, whole.parser.status, split.states.at(-1), mixed.states, mixed.parser.status]).toEqual([["done"], 200, "done", ["done"], 404]);
  });

  test("ends an LF-only head at the blank line when the body follows in the next chunk", () => {
    const { states, parser } = feed("HTTP/1.1 204 No Content\nConnection: close\n\nHTTP/1.1", [43]);
    expect({ states, status: parser.status, keepAlive: parser.keepAlive, extra: parser.hasExtraBytes }).toEqual({ states: ["done", "done"], status: 204, keepAlive: false, extra: true });
  });

  test("sees close among comma-separated Connection tokens in any case, and only as a whole token", () => {
    const keepAlive = (head: string) => feed(`${head}\r\nContent-Length: 0\r\n\r\n`).parser.keepAlive;
    expect({
      listed: keepAlive("HTTP/1.1 200 OK\r\nConnection: close, x"),
      upper: keepAlive("HTTP/1.1 200 OK\r\nConnection: Upgrade ,CLOSE"),
      secondHeader: keepAlive("HTTP/1.1 200 OK\r\nConnection: x\r\nConnection: close"),
      notAToken: keepAlive("HTTP/1.1 200 OK\r\nConnection: closed, x-close"),
      http10KeepAlive: keepAlive("HTTP/1.0 200 OK\r\nConnection: x, Keep-Alive"),
      http10Both: keepAlive("HTTP/1.0 200 OK\r\nConnection: keep-alive, close"),
    }).toEqual({ listed: false, upper: false, secondHeader: false, notAToken: true, http10KeepAlive: true, http10Both: false });
  });

  test("refuses a chunk whose data is not followed by CRLF instead of reading on", () => {
    const long = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n");
    const halfCrlf = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\rX0\r\n\r\n", [52]);
    const bareLf = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n");
    expect([long.states, halfCrlf.states, bareLf.states]).toEqual([["error"], ["more", "error"], ["done"]]);
  });

  test("reads an HTTP/1.0 body without Content-Length to the end of the stream, in any number of chunks", () => {
    const { states, parser } = feed("HTTP/1.0 200 OK\nContent-Type: text/plain\n\nfirst part, second part", [30, 48, 55]);
    expect({ states, keepAlive: parser.keepAlive, end: parser.endOfStream(), status: parser.status }).toEqual({ states: ["more", "more", "more", "more"], keepAlive: false, end: "done", status: 200 });
  });
});

describe("Http1ResponseParser body bytes", () => {
  test("counts the body's bytes from the end of the final head, across chunks and past a 100 Continue", () => {
    const head = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
    const parser = new Http1ResponseParser(1024);
    const seen: number[] = [];
    for (const part of [head.slice(0, 20), head.slice(20) + "abc", "defg"]) {
      parser.push(bytes(part));
      seen.push(parser.bodyBytes());
    }
    parser.reset();
    expect({ seen, afterReset: parser.bodyBytes() }).toEqual({ seen: [0, 3, 7], afterReset: 0 });
  });
});
