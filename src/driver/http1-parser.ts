/** Where a response stands after a chunk: needs more bytes, has ended, or is not HTTP/1.x. */
export type ParseState = "more" | "done" | "error";

const CR = 13;
const LF = 10;
const HEAD_END = Buffer.from("\r\n\r\n");

type Phase = "head" | "length" | "chunk-size" | "chunk-data" | "chunk-crlf" | "trailers" | "until-close" | "done";

/**
 * An incremental HTTP/1.x response parser for one connection, pure (bytes in, state out): it
 * finds the status, the body's framing (Content-Length, chunked, or until close) and the end
 * of the body, which it skips without copying. 1xx interim responses are skipped. `reset()`
 * readies it for the next response on the same connection.
 */
export class Http1ResponseParser {
  status = 0;
  keepAlive = true;
  /** Bytes arrived after the end of the response (never expected without pipelining). */
  hasExtraBytes = false;
  error = "";
  private phase: Phase = "head";
  private head: Buffer | null = null;
  private remaining = 0;
  private line = "";
  private received = 0;

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
  }

  private isDone(): boolean {
    return this.phase === "done";
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
        this.remaining -= take;
        if (this.remaining === 0) this.phase = "done";
        return at + take;
      }
      case "until-close":
        return chunk.byteLength;
      case "chunk-size":
      case "trailers":
        return this.readLine(chunk, at);
      case "chunk-data": {
        const take = Math.min(this.remaining, chunk.byteLength - at);
        this.remaining -= take;
        if (this.remaining === 0) {
          this.phase = "chunk-crlf";
          this.remaining = 2;
        }
        return at + take;
      }
      case "chunk-crlf": {
        const take = Math.min(this.remaining, chunk.byteLength - at);
        this.remaining -= take;
        if (this.remaining === 0) this.phase = "chunk-size";
        return at + take;
      }
      default:
        return chunk.byteLength;
    }
  }

  private readHead(chunk: Uint8Array, at: number): number {
    let bytes: Buffer;
    let base: number;
    if (this.head === null) {
      bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      base = at;
    } else {
      bytes = Buffer.concat([this.head, chunk.subarray(at)]);
      base = 0;
    }
    // Search from a little before the old end: the terminator may straddle two chunks.
    const end = bytes.indexOf(HEAD_END, base);
    if (end === -1) {
      const held = bytes.byteLength - base;
      if (held > this.maxHeadBytes) return this.fail(`response head longer than ${this.maxHeadBytes} bytes`);
      this.head = this.head === null ? Buffer.from(chunk.subarray(at)) : bytes;
      return chunk.byteLength;
    }
    const consumedFromChunk = this.head === null ? end + 4 : end + 4 - this.head.byteLength + at;
    const text = bytes.toString("latin1", base, end);
    this.head = null;
    if (!this.parseHead(text)) return -1;
    return consumedFromChunk;
  }

  private parseHead(text: string): boolean {
    // "HTTP/1.1 200 OK"
    if (!text.startsWith("HTTP/1.")) return this.fail("not an HTTP/1.x response") >= 0;
    const status = Number(text.slice(9, 12));
    if (!(status >= 100 && status <= 999)) return this.fail("bad status line") >= 0;
    const http10 = text.charCodeAt(7) === 48; // "HTTP/1.0"
    let length = -1;
    let chunked = false;
    let connection = "";
    let from = text.indexOf("\r\n");
    while (from !== -1) {
      const to = text.indexOf("\r\n", from + 2);
      const line = text.slice(from + 2, to === -1 ? undefined : to);
      const colon = line.indexOf(":");
      if (colon > 0) {
        const name = line.slice(0, colon).trim().toLowerCase();
        if (name === "content-length") length = Number(line.slice(colon + 1).trim());
        else if (name === "transfer-encoding") chunked = /(?:^|,)\s*chunked\s*$/i.test(line.slice(colon + 1));
        else if (name === "connection") connection = line.slice(colon + 1).trim().toLowerCase();
      }
      from = to;
    }
    if (status < 200 && status !== 101) return true; // interim response: the real one follows
    this.status = status;
    this.keepAlive = http10 ? connection === "keep-alive" : connection !== "close";
    if (status === 204 || status === 304 || status === 101) this.phase = "done";
    else if (chunked) this.phase = "chunk-size";
    else if (length >= 0 && Number.isSafeInteger(length)) {
      this.remaining = length;
      this.phase = length === 0 ? "done" : "length";
    } else if (length !== -1) return this.fail("bad Content-Length") >= 0;
    else {
      this.phase = "until-close";
      this.keepAlive = false;
    }
    return true;
  }

  /** Reads a CRLF-terminated line of the chunked framing (size line or trailer). */
  private readLine(chunk: Uint8Array, at: number): number {
    let i = at;
    while (i < chunk.byteLength && chunk[i] !== LF) i++;
    this.line += Buffer.from(chunk.buffer, chunk.byteOffset + at, i - at).toString("latin1");
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
