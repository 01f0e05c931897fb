import type { HttpMethod } from "./request-spec.ts";

/**
 * A scenario request as HTTP/1.1 bytes, in the head format of the pool's prebuilt GET
 * (http1-pool.ts): request line, Host, User-Agent, Accept, then the request's own headers,
 * Content-Length, the blank line and the body. Issue 11.
 */

/** The User-Agent every request carries unless it sets its own. */
export const USER_AGENT = "kafka-loadtest";

/** Methods that always say how long their body is (an empty POST carries `Content-Length: 0`). */
const BODY_METHODS = new Set<HttpMethod>(["POST", "PUT", "PATCH"]);

const utf8 = new TextEncoder();

/** Characters a request target may not hold as they are: percent-encoded (UTF-8), `%` left alone. */
const UNSAFE_IN_URL = /[^\x21-\x7e]|["<>\\^`{|}]/g;

/** Percent-encodes what cannot stand in a request target (spaces, controls, non-ASCII, `"<>\^`{|}`). */
export function escapeUrlText(text: string): string {
  UNSAFE_IN_URL.lastIndex = 0;
  if (!UNSAFE_IN_URL.test(text)) return text;
  return text.replace(UNSAFE_IN_URL, (ch) => Array.from(utf8.encode(ch), (b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""));
}

/** A header value without the characters that would end it early (CR, LF, NUL become spaces). */
export function escapeHeaderText(text: string): string {
  return /[\r\n\0]/.test(text) ? text.replace(/[\r\n\0]/g, " ") : text;
}

/** True when `headers` sets `name` (any letter case). */
export function hasHeader(headers: readonly (readonly [string, string])[], name: string): boolean {
  const lower = name.toLowerCase();
  return headers.some(([n]) => n.toLowerCase() === lower);
}

/** The head of a request up to and with its own headers (no Content-Length, no blank line), as text. */
export function encodeHead(method: HttpMethod, url: string, headers: readonly (readonly [string, string])[]): string {
  // The planner's URLs are `origin + path` (origin normalized): split, not re-parsed, per send.
  const match = /^https?:\/\/([^/?#]*)([^#]*)/i.exec(url);
  if (!match) throw new Error(`encodeRequest: ${url} is not an absolute http(s) URL`);
  const path = match[2] === "" ? "/" : match[2]!.startsWith("?") ? `/${match[2]}` : match[2]!;
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${match[1]}\r\n`;
  if (!hasHeader(headers, "user-agent")) head += `User-Agent: ${USER_AGENT}\r\n`;
  if (!hasHeader(headers, "accept")) head += "Accept: */*\r\n";
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  return head;
}

/** The whole HTTP/1.1 request for `url` (absolute, already escaped: `origin + path`, as the planner makes it) as bytes. */
export function encodeRequest(method: HttpMethod, url: string, headers: readonly (readonly [string, string])[], body: Uint8Array | null): Uint8Array {
  let head = encodeHead(method, url, headers);
  if (body !== null || BODY_METHODS.has(method)) head += `Content-Length: ${body?.byteLength ?? 0}\r\n`;
  head += "\r\n";
  const headBytes = utf8.encode(head);
  if (body === null || body.byteLength === 0) return headBytes;
  const wire = new Uint8Array(headBytes.byteLength + body.byteLength);
  wire.set(headBytes, 0);
  wire.set(body, headBytes.byteLength);
  return wire;
}
