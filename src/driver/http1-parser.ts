import { asBuffer, CR, findHeadEnd, hasToken, indexOfByte, isDigit, LF, matchesLower, parseDecimal, startsWith } from "./http1-bytes.ts";

/** Where a response stands after a chunk: needs more bytes, has ended, or is not HTTP/1.x. */
export type ParseState = "more" | "done" | "error";

const COLON = 58;
const SP = 32;
const C = 99;
const T = 116;

type Phase = "head" | "length" | "chunk-size" | "chunk-data" | "chunk-crlf" | "trailers" | "until-close" | "done";

/**
 * An incremental HTTP/1.x response parser for one connection, pure (bytes in, state out): it
 * finds the status, the body's framing (Content-Length, chunked, or until close) and the end
 * of the body, which it skips without copying (unless `captureMax` asks to keep its first
 * bytes). 1xx interim responses are skipped. Set `noBody` for the response to a HEAD. `reset()`
 * readies it for the next response on the same connection (and clears both).
 */
export class Http1ResponseParser {
  status = 0;
  keepAlive = true;
  /** Bytes arrived after the end of the response (never expected without pipelining). */
  hasExtraBytes = false;
  error = "";
  /** The request was a HEAD: its response has a head only, whatever its Content-Length says. */
  noBody = false;
  /** Keep up to this many bytes of the body (see {@link capturedBody}); 0 keeps none. */
  captureMax = 0;
  private captured: Buffer | null = null;
  private capturedLength = 0;
  private phase: Phase = "head";
  private head: Buffer | null = null;
  private remaining = 0;
  private line = "";
  private received = 0;
  /** `received` when the final head ended (body bytes are counted from there). */
  private headEnd = -1;

  constructor(private readonly maxHeadBytes: number) {}

  /** Readies the parser for the next response. */
  reset(): void {
    this.status = 0;
    this.keepAlive = true;
    this.hasExtraBytes = false;
    this.error = "";
    this.phase = "head";
    this.head = null;
    this.remaining = 0;
    this.line = "";
    this.received = 0;
    this.headEnd = -1;
    this.noBody = false;
    this.captureMax = 0;
    this.captured = null;
    this.capturedLength = 0;
  }

  /** The body bytes kept so far (decoded from chunked framing), at most `captureMax`; undefined when none were asked for. */
  capturedBody(): Uint8Array | undefined {
    if (this.captureMax === 0) return undefined;
    return this.captured === null ? new Uint8Array(0) : this.captured.subarray(0, this.capturedLength);
  }

  /** Copies body bytes `chunk[at, at + n)` while the capture has room. */
  private keep(chunk: Uint8Array, at: number, n: number): void {
    const room = this.captureMax - this.capturedLength;
    if (room <= 0 || n <= 0) return;
    const take = Math.min(room, n);
    const need = this.capturedLength + take;
    if (this.captured === null || this.captured.byteLength < need) {
      // Sized to the body when its length is known (`remaining` still counts this chunk), else
      // doubled: a 20-byte answer to a 64 KiB capture costs 256 bytes, not 64 KiB.
      const hint = this.phase === "length" ? this.capturedLength + this.remaining : need * 2;
      const grown = Buffer.allocUnsafe(Math.min(this.captureMax, Math.max(need, hint, 256)));
      if (this.captured !== null) this.captured.copy(grown, 0, 0, this.capturedLength);
      this.captured = grown;
    }
    this.captured.set(chunk.subarray(at, at + take), this.capturedLength);
    this.capturedLength += take;
  }

  private isDone(): boolean {
    return this.phase === "done";
  }

  /** Bytes of the current response past its head so far (framing included); 0 until the head has ended. */
  bodyBytes(): number {
    return this.headEnd < 0 ? 0 : this.received - this.headEnd;
  }

  /** No byte of the current response has arrived. */
  isFresh(): boolean {
    return this.received === 0;
  }

  /** Feeds one chunk of the connection's bytes. */
  push(chunk: Uint8Array): ParseState {
    this.received += chunk.byteLength;
    // Every step consumes at least one byte, so this ends.
    let at = 0;
    while (at < chunk.byteLength) {
      if (this.isDone()) {
        this.hasExtraBytes = true;
        return "done";
      }
      at = this.step(chunk, at);
      if (at < 0) return "error";
    }
    return this.isDone() ? "done" : "more";
  }

  /** The connection has closed: a body that runs until close has ended; anything else is cut short. */
  endOfStream(): ParseState {
    if (this.phase === "until-close" || this.phase === "done") {
      this.phase = "done";
      return "done";
    }
    this.error = "connection closed before the response ended";
    return "error";
  }

  /** Consumes from `at`; returns the new offset, or -1 on a protocol error. */
  private step(chunk: Uint8Array, at: number): number {
    switch (this.phase) {
      case "head":
        return this.readHead(chunk, at);
      case "length": {
        const take = Math.min(this.remaining, chunk.byteLength - at);
        if (this.captureMax > 0) this.keep(chunk, at, take);
        this.remaining -= take;
        if (this.remaining === 0) this.phase = "done";
        return at + take;
      }
      case "until-close":
        if (this.captureMax > 0) this.keep(chunk, at, chunk.byteLength - at);
        return chunk.byteLength;
      case "chunk-size":
      case "trailers":
        return this.readLine(chunk, at);
      case "chunk-data": {
        const take = Math.min(this.remaining, chunk.byteLength - at);
        if (this.captureMax > 0) this.keep(chunk, at, take);
        this.remaining -= take;
        if (this.remaining === 0) {
          this.phase = "chunk-crlf";
          this.remaining = 2;
        }
        return at + take;
      }
      case "chunk-crlf": {
        // `remaining` is 2 before the CR, 1 after it; a bare LF is accepted like in the head.
        const byte = chunk[at];
        if (byte === CR && this.remaining === 2) {
          this.remaining = 1;
          return at + 1;
        }
        if (byte !== LF) return this.fail("chunk data not followed by CRLF");
        this.phase = "chunk-size";
        return at + 1;
      }
      default:
        return chunk.byteLength;
    }
  }

  private readHead(chunk: Uint8Array, at: number): number {
    let bytes: Buffer;
    let base: number;
    if (this.head === null) {
      bytes = asBuffer(chunk);
      base = at;
    } else {
      bytes = Buffer.concat([this.head, chunk.subarray(at)]);
      base = 0;
    }
    const end = findHeadEnd(bytes, base);
    if (end === null) {
      const held = bytes.byteLength - base;
      if (held > this.maxHeadBytes) return this.fail(`response head longer than ${this.maxHeadBytes} bytes`);
      // Copied: the runtime may reuse the chunk's memory for the next read.
      this.head = this.head === null ? Buffer.from(chunk.subarray(at)) : bytes;
      return chunk.byteLength;
    }
    const consumedFromChunk = this.head === null ? end.after : end.after - this.head.byteLength + at;
    this.head = null;
    if (!this.parseHead(bytes, base, end.at)) return -1;
    // `received` already counts the whole chunk: the head ended `chunk.byteLength - consumed` before it.
    if (this.phase !== "head") this.headEnd = this.received - (chunk.byteLength - consumedFromChunk);
    return consumedFromChunk;
  }

  /** Parses the head in `b[start, end)` (no final line ending) from its bytes: no string per response. */
  private parseHead(b: Buffer, start: number, end: number): boolean {
    // "HTTP/1.1 200 OK": "HTTP/1.<digit>", spaces, three digits, a space or the line's end (as fetch).
    if (end - start < 12 || !startsWith(b, start, "HTTP/1.") || !isDigit(b[start + 7]!)) return this.fail("not an HTTP/1.x response") >= 0;
    let s = start + 9;
    while (s < end && b[s] === SP) s++;
    const d0 = b[s]! - 48;
    const d1 = b[s + 1]! - 48;
    const d2 = b[s + 2]! - 48;
    const digits = s + 3 <= end && d0 >= 1 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9;
    const next = s + 3 < end ? b[s + 3] : LF; // after the digits: a space or the line's end
    if (b[start + 8] !== SP || !digits || (next !== SP && next !== CR && next !== LF)) return this.fail("bad status line") >= 0;
    const status = d0 * 100 + d1 * 10 + d2;
    const http10 = b[start + 7] === 48;
    let length = -1;
    let chunked = false;
    let connection = "";
    let lineStart = indexOfByte(b, LF, start) + 1;
    while (lineStart > 0 && lineStart < end) {
      const lf = indexOfByte(b, LF, lineStart);
      const lineEnd = lf === -1 || lf > end ? end : b[lf - 1] === CR ? lf - 1 : lf;
      // Only three names matter, each of a known length: its colon must sit right after it (no
      // scan for the colon; a name with a colon in it fails matchesLower, as a first colon elsewhere did).
      const first = b[lineStart]! | 0x20;
      if (first === C) {
        if (lineStart + 14 < lineEnd && b[lineStart + 14] === COLON && matchesLower(b, lineStart, lineStart + 14, "content-length")) {
          length = parseDecimal(b, lineStart + 15, lineEnd);
          if (Number.isNaN(length)) return this.fail("bad Content-Length") >= 0;
        } else if (lineStart + 10 < lineEnd && b[lineStart + 10] === COLON && matchesLower(b, lineStart, lineStart + 10, "connection")) {
          // Every Connection header adds tokens (RFC 9110 7.6.1): "close, x" still closes.
          connection += `,${b.toString("latin1", lineStart + 11, lineEnd).toLowerCase()}`;
        }
      } else if (first === T && lineStart + 17 < lineEnd && b[lineStart + 17] === COLON && matchesLower(b, lineStart, lineStart + 17, "transfer-encoding")) {
        chunked = /(?:^|,)\s*chunked\s*$/i.test(b.toString("latin1", lineStart + 18, lineEnd));
      }
      lineStart = lf === -1 || lf >= end ? 0 : lf + 1;
    }
    if (status < 200 && status !== 101) return true; // interim response: the real one follows
    this.status = status;
    const close = hasToken(connection, "close");
    this.keepAlive = http10 ? !close && hasToken(connection, "keep-alive") : !close;
    // A HEAD's response, 204 and 304 have no body whatever their framing headers say (RFC 9112 6.3).
    if (this.noBody || status === 204 || status === 304 || status === 101) this.phase = "done";
    else if (chunked) this.phase = "chunk-size";
    else if (length >= 0) {
      this.remaining = length;
      this.phase = length === 0 ? "done" : "length";
    } else {
      this.phase = "until-close";
      this.keepAlive = false;
    }
    return true;
  }

  /** Reads a CRLF-terminated line of the chunked framing (size line or trailer). */
  private readLine(chunk: Uint8Array, at: number): number {
    let i = at;
    while (i < chunk.byteLength && chunk[i] !== LF) i++;
    this.line += asBuffer(chunk).toString("latin1", at, i);
    if (this.line.length > this.maxHeadBytes) return this.fail("chunk line too long");
    if (i === chunk.byteLength) return i;
    const line = this.line.charCodeAt(this.line.length - 1) === CR ? this.line.slice(0, -1) : this.line;
    this.line = "";
    if (this.phase === "trailers") {
      if (line === "") this.phase = "done";
      return i + 1;
    }
    const size = parseInt(line.split(";", 1)[0]!.trim(), 16);
    if (!Number.isFinite(size) || size < 0) return this.fail("bad chunk size");
    if (size === 0) this.phase = "trailers";
    else {
      this.phase = "chunk-data";
      this.remaining = size;
    }
    return i + 1;
  }

  private fail(message: string): number {
    this.error = message;
    return -1;
  }
}
