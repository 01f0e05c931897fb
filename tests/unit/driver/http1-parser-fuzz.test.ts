/**
 * Property test of the HTTP/1.1 response parser: random valid responses (Content-Length,
 * chunked with extensions and trailers, HTTP/1.0 close-delimited, 1xx interim heads, bare-LF
 * heads) split at random points across reads, and bad ones (not HTTP, bad status, bad
 * Content-Length, bad chunk framing, cut short, endless head or chunk line). A valid response
 * must end exactly at its last byte (never early, which would miscount the next one, never
 * late, which would hang the connection) with its own status, keep-alive and body size; a bad
 * one must end in "error", never "done" and never a throw. Reads go through one reused
 * buffer, overwritten after each push, as a socket's memory may be.
 *
 * Seeded: the seed is printed; FUZZ_SEED=<seed> replays a run, FUZZ_CASES=<n> sets its size.
 * Bounded: it stops after FUZZ_BUDGET_MS (2.5 s) if the cases are not all done by then (case i
 * is the same for a seed however many run, so a replay reaches a failure again).
 */
import { expect, test } from "bun:test";
import { Http1ResponseParser, type ParseState } from "../../../src/driver/http1-parser.ts";

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CASES = Number(process.env.FUZZ_CASES ?? 3_000);
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 2_500);
/** Fewest cases a run must get through within its budget, however loaded the machine. */
const MIN_CASES = Math.min(CASES, 300);
const MAX_HEAD_BYTES = 2_048;

/** mulberry32: a small, fast, seedable PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Rand = ReturnType<typeof prng>;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;
const chance = (r: Rand, p: number) => r() < p;

/** Random case for ASCII letters (header names and hex digits are case-insensitive). */
const randomCase = (r: Rand, s: string) => [...s].map((c) => (chance(r, 0.5) ? c.toUpperCase() : c.toLowerCase())).join("");
/** Random bytes of any value, as latin1 text (bodies may hold CR, LF and "HTTP/1.1"). */
const anyBytes = (r: Rand, n: number) =>
  Array.from({ length: n }, () => (chance(r, 0.05) ? pick(r, ["\r\n", "\n", "HTTP/1.1 200 OK\r\n\r\n", "0\r\n\r\n"]) : String.fromCharCode(int(r, 256)))).join("");
/** Header-value text: printable, no CR or LF. */
const token = (r: Rand, n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + int(r, 95))).join("");

/** One generated response and what the parser must make of it. */
interface Case {
  text: string;
  kind: "length" | "chunked" | "close" | "empty";
  expect: { status: number; keepAlive: boolean; bodyBytes: number };
}

/** A random valid response. */
function validResponse(r: Rand): Case {
  const http10 = chance(r, 0.2);
  const eol = () => (chance(r, 0.25) ? "\n" : "\r\n");
  const status = pick(r, [200, 200, 201, 204, 299, 301, 304, 404, 418, 500, 503, 599]);
  const kind: Case["kind"] = status === 204 || status === 304 ? "empty" : pick(r, http10 ? (["length", "close", "chunked"] as const) : (["length", "length", "chunked", "chunked", "close"] as const));
  const lines: string[] = [`HTTP/1.${http10 ? 0 : 1}${chance(r, 0.1) ? "  " : " "}${status}${chance(r, 0.8) ? ` ${pick(r, ["OK", "Whatever", "", "Not Found Here"])}` : ""}`];
  let connection: string[] = [];
  for (let i = int(r, 5); i > 0; i--) lines.push(`${randomCase(r, pick(r, ["x-custom", "content-type", "server", "date", "content-lengthy", "x-transfer-encoding"]))}:${chance(r, 0.5) ? " " : ""}${token(r, int(r, 40))}`);
  if (chance(r, 0.4)) {
    connection = pick(r, [["close"], ["keep-alive"], ["Keep-Alive"], ["upgrade, close"], ["closed"], ["x", "CLOSE"]]);
    for (const value of connection) lines.push(`${randomCase(r, "connection")}: ${value}`);
  }
  let body = "";
  let bodyBytes = 0;
  if (kind === "length") {
    body = anyBytes(r, chance(r, 0.1) ? 0 : int(r, 300));
    lines.push(`${randomCase(r, "content-length")}:${pick(r, ["", " ", "  ", "\t"])}${body.length}${pick(r, ["", " ", "\t"])}`);
  } else if (kind === "chunked") {
    lines.push(`${randomCase(r, "transfer-encoding")}: ${pick(r, ["chunked", "Chunked", "gzip, chunked", "gzip,chunked "])}`);
    // A Content-Length beside chunked is overridden by it (RFC 9112 6.3).
    if (chance(r, 0.1)) lines.push(`Content-Length: ${int(r, 50)}`);
    const ext = () => (chance(r, 0.3) ? pick(r, [";a=b", "; name=value", ";x", ';q="a;b"']) : "");
    const chunkEol = () => (chance(r, 0.1) ? "\n" : "\r\n");
    for (let i = int(r, 5); i > 0; i--) {
      const data = anyBytes(r, 1 + int(r, 100));
      const hex = data.length.toString(16);
      body += `${chance(r, 0.2) ? "00" : ""}${chance(r, 0.5) ? hex.toUpperCase() : hex}${ext()}${chunkEol()}${data}${chunkEol()}`;
    }
    body += `0${ext()}${chunkEol()}`;
    for (let i = int(r, 3); i > 0; i--) body += `X-Trailer-${i}: ${token(r, int(r, 20))}${chunkEol()}`;
    body += chunkEol();
  } else if (kind === "close") {
    body = anyBytes(r, int(r, 300));
  } else if (chance(r, 0.3)) {
    lines.push(`Content-Length: ${1 + int(r, 100)}`); // ignored: 204 and 304 have no body
  }
  let head = lines.map((line) => line + eol()).join("") + eol();
  // An interim response before the real one, skipped whole.
  if (!http10 && chance(r, 0.15)) head = `HTTP/1.1 ${pick(r, [100, 102, 103])} ${pick(r, ["Continue", "Early Hints"])}${eol()}${chance(r, 0.5) ? `Link: </a>${eol()}` : ""}${eol()}` + head;
  bodyBytes = body.length;
  const close = connection.some((v) => v.split(",").some((t) => t.trim().toLowerCase() === "close"));
  const keepAliveAsked = connection.some((v) => v.split(",").some((t) => t.trim().toLowerCase() === "keep-alive"));
  const keepAlive = kind !== "close" && !close && (!http10 || keepAliveAsked);
  return { text: head + body, kind, expect: { status, keepAlive, bodyBytes } };
}

/** A random bad response, with the reason it is bad (for the failure message). */
function badResponse(r: Rand): { text: string; why: string } {
  const ok = "HTTP/1.1 200 OK\r\n";
  switch (int(r, 9)) {
    case 0:
      return { why: "not HTTP/1.x", text: `${pick(r, ["HTTP/2 200 OK", "HTTX/1.1 200 OK", "ICY 200 OK", "<html><body>", "SSH-2.0-OpenSSH", "HTTP/1.1"])}\r\nContent-Length: 0\r\n\r\n` };
    case 1:
      return {
        why: "bad status line",
        text: `${pick(r, ["HTTP/1.1 2x0 OK", "HTTP/1.1 099 OK", "HTTP/1.1 -20 OK", "HTTP/1.1 20 OK", "HTTP/1.1 abc OK", "HTTP/1.1 0200 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 200OK", "HTTP/1.1_200 OK", "HTTP/1.1 200\tOK", "http/1.1 200 OK", "HTTP/1.x 200 OK", "HTTP/1.1\t200 OK"])}\r\nContent-Length: 0\r\n\r\n`,
      };
    case 2:
      return { why: "bad Content-Length", text: `${ok}Content-Length: ${pick(r, ["abc", "-1", "1e3", "0x10", "9999999999999999", "5 5", ""])}\r\n\r\nhello` };
    case 3:
      return { why: "bad chunk size", text: `${ok}Transfer-Encoding: chunked\r\n\r\n${pick(r, ["zz", "-1", "", ";ext", "g0"])}\r\nabc\r\n0\r\n\r\n` };
    case 4:
      return { why: "chunk data not followed by CRLF", text: `${ok}Transfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n` };
    case 5: {
      const whole = validResponse(r);
      if (whole.kind === "close" || whole.kind === "empty") return { why: "cut short (chunked)", text: `${ok}Transfer-Encoding: chunked\r\n\r\n5\r\nab` };
      // Cut anywhere before the last byte: the stream closes mid-response.
      return { why: `cut short (${whole.kind})`, text: whole.text.slice(0, int(r, whole.text.length)) };
    }
    case 6:
      return { why: "endless head", text: `${ok}${Array.from({ length: 200 }, (_, i) => `X-Long-${i}: ${"v".repeat(40)}\r\n`).join("")}` };
    case 7:
      return { why: "endless chunk line", text: `${ok}Transfer-Encoding: chunked\r\n\r\n5;${"e".repeat(MAX_HEAD_BYTES + 100)}` };
    default:
      return { why: "garbage without a head end", text: token(r, 1 + int(r, 300)) };
  }
}

/** Random cut points in [1, length): none, a few, or every byte. */
function cuts(r: Rand, length: number): number[] {
  if (length <= 1) return [];
  if (chance(r, 0.05)) return Array.from({ length: length - 1 }, (_, i) => i + 1);
  const n = int(r, 8);
  return [...new Set(Array.from({ length: n }, () => 1 + int(r, length - 1)))].sort((a, b) => a - b);
}

/** One scratch buffer for every read, overwritten after each push (a socket may reuse its memory). */
const scratch = Buffer.alloc(256 * 1024);

/** Pushes `text` split at `at`, stopping at the first state other than "more"; returns the states and where it stopped. */
function feed(parser: Http1ResponseParser, text: string, at: number[]): { states: ParseState[]; fedBytes: number } {
  const states: ParseState[] = [];
  let from = 0;
  for (const cut of [...at, text.length]) {
    const n = scratch.write(text.slice(from, cut), 0, "latin1");
    // Half the reads as Buffers, half as plain Uint8Array views.
    const view = (cut & 1) === 0 ? scratch.subarray(0, n) : new Uint8Array(scratch.buffer, scratch.byteOffset, n);
    const state = parser.push(view);
    scratch.fill(0x41, 0, n);
    states.push(state);
    from = cut;
    if (state !== "more") break;
  }
  return { states, fedBytes: from };
}

test(`the HTTP/1.1 parser ends every randomly split valid response at its last byte and fails every bad one (FUZZ_SEED=${SEED})`, () => {
  console.log(`http1-parser fuzz: seed ${SEED}, ${CASES} cases (replay with FUZZ_SEED=${SEED})`);
  const r = prng(SEED);
  const parser = new Http1ResponseParser(MAX_HEAD_BYTES);
  const failures: string[] = [];
  const startedMs = performance.now();
  let valid = 0;
  let bad = 0;
  for (let i = 0; i < CASES && failures.length < 5; i++) {
    if (i >= MIN_CASES && performance.now() - startedMs > BUDGET_MS) break;
    // One parser for the whole run, reset between responses as a kept-alive connection's is.
    parser.reset();
    const describe = (text: string, at: number[]) => `case ${i} (FUZZ_SEED=${SEED}): ${JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}…` : text)} cut at ${JSON.stringify(at)}`;
    if (chance(r, 0.75)) {
      valid++;
      const c = validResponse(r);
      // Now and then bytes follow the end in the same read (a server that pipelines or misbehaves):
      // the response still ends at its own last byte, and the extra bytes are flagged.
      const extra = c.kind !== "close" && chance(r, 0.1) ? anyBytes(r, 1 + int(r, 20)) : "";
      const at = cuts(r, c.text.length);
      const { states, fedBytes } = feed(parser, c.text + extra, at);
      const last = c.kind === "close" ? parser.endOfStream() : states.at(-1);
      const observed = {
        early: fedBytes < c.text.length, // "done" or "error" before the last read
        last,
        afterLastByte: states.at(-1),
        status: parser.status,
        keepAlive: parser.keepAlive,
        // Counted to the end of the last read, so only meaningful without extra bytes (the pool reads it only on "more").
        bodyBytes: extra === "" ? parser.bodyBytes() : null,
        extra: parser.hasExtraBytes,
        error: parser.error,
      };
      const wanted = { early: false, last: "done", afterLastByte: c.kind === "close" ? "more" : "done", ...c.expect, ...(extra === "" ? {} : { bodyBytes: null }), extra: extra !== "", error: "" };
      if (!Bun.deepEquals(observed, wanted)) failures.push(`${describe(c.text, at)}\n  got  ${JSON.stringify(observed)}\n  want ${JSON.stringify(wanted)}`);
    } else {
      bad++;
      const b = badResponse(r);
      const at = cuts(r, b.text.length);
      let outcome: string;
      try {
        const { states } = feed(parser, b.text, at);
        const last = states.at(-1) === "more" ? parser.endOfStream() : states.at(-1);
        outcome = last === "error" && parser.error !== "" && !states.includes("done") ? "error" : `${JSON.stringify(states)} then ${last} (status ${parser.status})`;
      } catch (error) {
        outcome = `threw ${String(error)}`;
      }
      if (outcome !== "error") failures.push(`${describe(b.text, at)} [${b.why}]\n  got ${outcome}, want error`);
    }
  }
  const elapsedMs = performance.now() - startedMs;
  console.log(`http1-parser fuzz: ${valid} valid and ${bad} bad responses in ${elapsedMs.toFixed(0)} ms`);
  expect(failures).toEqual([]);
  expect(valid + bad).toBeGreaterThanOrEqual(MIN_CASES);
}, BUDGET_MS + 10_000);
