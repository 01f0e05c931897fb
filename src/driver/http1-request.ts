import type { HttpMethod, SendSpec } from "./scenario/request-spec.ts";

/**
 * The bytes of one HTTP/1.1 request of a scenario (issue 11), for the pool (http1-pool.ts):
 * request line, `Host`, the spec's headers, default `User-Agent` and `Accept` when the spec
 * sets none, and `Content-Length` framing of the body (the spec's own Content-Length or
 * Transfer-Encoding is dropped: the pool frames every body itself).
 */

/** The origin a pool talks to: requests for any other are refused. */
export interface PoolOrigin {
  /** `http://host:port` as the WHATWG URL normalizes it (no default port, lower-case host). */
  prefix: string;
  /** The `Host` header: host and port as in the URL. */
  host: string;
}

/** The origin of a parsed URL. */
export function originOf(url: URL): PoolOrigin {
  return { prefix: `${url.protocol}//${url.host}`, host: url.host };
}

/** Methods whose request may be sent twice without harm (RFC 9110 9.2.2): the stale keep-alive retry is limited to them. */
export function isIdempotent(method: HttpMethod): boolean {
  return method !== "POST" && method !== "PATCH";
}

/** Methods that carry a body by definition: without one they still say `Content-Length: 0`. */
const BODY_METHODS = new Set<HttpMethod>(["POST", "PUT", "PATCH"]);

/** Header names the pool writes itself whatever the spec says. */
const FRAMING = new Set(["content-length", "transfer-encoding"]);

/** A header name: an RFC 9110 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Characters a header value may not hold (a line break would inject headers). */
const BAD_VALUE = /[\r\n\0]/;

/** Characters a request target may not hold as they are: spaces, controls, non-ASCII. */
const BAD_TARGET = /[^\x21-\x7e]/;

/**
 * The path and query of `url` when it belongs to `origin`; null when it does not. A URL
 * spelled as the origin's prefix is cut without parsing (the common case); anything else is
 * parsed, and its target percent-encoded by the URL parser.
 */
export function targetIn(url: string, origin: PoolOrigin): string | null {
  const n = origin.prefix.length;
  if (url.startsWith(origin.prefix)) {
    const next = url.charCodeAt(n);
    // Ends there, or "/" or "?" follows (not "http://host:80" matching "http://host:8080").
    if (Number.isNaN(next) || next === 47 || next === 63) {
      const hash = url.indexOf("#", n);
      const target = hash === -1 ? url.slice(n) : url.slice(n, hash);
      if (!BAD_TARGET.test(target)) return target === "" ? "/" : target.charCodeAt(0) === 63 ? `/${target}` : target;
    }
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (`${parsed.protocol}//${parsed.host}` !== origin.prefix) return null;
  return `${parsed.pathname || "/"}${parsed.search}`;
}

/** Whether the spec's prebuilt `wire` may be written to a pool of `origin` as it is. */
export function canUseWire(spec: SendSpec, origin: PoolOrigin): boolean {
  if (spec.wire === undefined || !spec.url.startsWith(origin.prefix)) return false;
  const next = spec.url.charCodeAt(origin.prefix.length);
  return Number.isNaN(next) || next === 47 || next === 63;
}

/**
 * The head of a request without its framing: request line, Host, the spec's headers and the
 * defaults, each line ending in CRLF (no Content-Length, no blank line yet). Throws on a
 * header that cannot be written (a name that is not a token, a value with a line break:
 * templates may expand to one) or a URL of another origin.
 */
function headOf(spec: SendSpec, origin: PoolOrigin, userAgent: string): string {
  const target = targetIn(spec.url, origin);
  if (target === null) throw new Error(`${spec.url} is not on ${origin.prefix}`);
  let lines = "";
  let host = false;
  let agent = false;
  let accept = false;
  for (const [name, value] of spec.headers) {
    if (!TOKEN.test(name)) throw new Error(`header name ${JSON.stringify(name)} is not a token`);
    if (BAD_VALUE.test(value)) throw new Error(`header ${name} holds a line break`);
    const lower = name.toLowerCase();
    if (FRAMING.has(lower)) continue;
    if (lower === "host") host = true;
    else if (lower === "user-agent") agent = true;
    else if (lower === "accept") accept = true;
    lines += `${name}: ${value}\r\n`;
  }
  let head = `${spec.method} ${target} HTTP/1.1\r\n`;
  if (!host) head += `Host: ${origin.host}\r\n`;
  head += lines;
  if (!agent) head += `User-Agent: ${userAgent}\r\n`;
  if (!accept) head += "Accept: */*\r\n";
  return head;
}

/** The head plus its framing and the body, in one buffer (one write, one `unsent` tail under backpressure). */
function frame(head: Buffer, method: HttpMethod, body: Uint8Array | null): Uint8Array {
  const length = body?.byteLength ?? 0;
  const framing = length > 0 || body !== null || BODY_METHODS.has(method) ? `Content-Length: ${length}\r\n\r\n` : "\r\n";
  const bytes = Buffer.allocUnsafe(head.byteLength + framing.length + length);
  head.copy(bytes, 0);
  bytes.write(framing, head.byteLength, "latin1");
  if (length > 0) bytes.set(body!, head.byteLength + framing.length);
  return bytes;
}

/** The whole request of `spec` (see {@link headOf} for what throws). */
export function buildRequest(spec: SendSpec, origin: PoolOrigin, userAgent: string): Uint8Array {
  return frame(Buffer.from(headOf(spec, origin, userAgent), "utf8"), spec.method, spec.body);
}

/** Most requests whose head a {@link RequestBuilder} keeps (a scenario has at most 64). */
const MAX_CACHED_HEADS = 64;

/**
 * Builds a pool's requests, keeping each scenario request's head while its method, URL and
 * header names and values stay the same (a request templated only in its body): a send then
 * costs a comparison of a few strings, the framing and one copy of the body, not the head's
 * validation and encoding again. Values are compared, not arrays, so a source that reuses one
 * headers array and rewrites it in place still gets the right head.
 */
export class RequestBuilder {
  private readonly heads = new Map<number, { method: HttpMethod; url: string; headers: string[]; head: Buffer }>();

  constructor(
    private readonly origin: PoolOrigin,
    private readonly userAgent: string,
  ) {}

  /** The whole request of `spec`; throws like {@link buildRequest}. */
  build(spec: SendSpec): Uint8Array {
    let cached = this.heads.get(spec.request);
    if (cached === undefined || cached.url !== spec.url || cached.method !== spec.method || !sameHeaders(cached.headers, spec.headers)) {
      cached = { method: spec.method, url: spec.url, headers: spec.headers.flat(), head: Buffer.from(headOf(spec, this.origin, this.userAgent), "utf8") };
      if (this.heads.size < MAX_CACHED_HEADS || this.heads.has(spec.request)) this.heads.set(spec.request, cached);
    }
    return frame(cached.head, spec.method, spec.body);
  }
}

/** Whether `headers` holds exactly the names and values of `flat` ([name, value, name, value, …]). */
function sameHeaders(flat: readonly string[], headers: SendSpec["headers"]): boolean {
  if (flat.length !== headers.length * 2) return false;
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i]!;
    if (flat[2 * i] !== name || flat[2 * i + 1] !== value) return false;
  }
  return true;
}
