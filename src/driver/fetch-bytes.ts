import type { SendSpec } from "./scenario/request-spec.ts";

/**
 * Byte counts of a scenario's send that went through `fetch` (a URL the HTTP/1.1 pool does
 * not serve, or `--http-client fetch`). fetch hides the wire, so these are estimates: the
 * request as the pool would write it (without the headers fetch adds itself, such as
 * `Connection` or `Accept-Encoding`), and the response's head as its Headers object lists it
 * plus the body bytes read, which fetch has already decompressed when the body was encoded.
 * The pool counts exact bytes; TLS overhead is counted by neither.
 */

/**
 * Bytes of the headers Bun 1.4's fetch adds itself: `Connection: keep-alive`, `User-Agent:
 * Bun/1.x`, `Accept` (any type) and `Accept-Encoding: gzip, deflate, br, zstd`, with their line ends.
 */
export const FETCH_OWN_HEADER_BYTES = 100;

/** Estimated bytes of the request: its prebuilt wire when it has one, else request line, Host, headers, fetch's own headers and body. */
export function estimateRequestBytes(spec: SendSpec): number {
  if (spec.wire !== undefined) return spec.wire.byteLength;
  let target = spec.url;
  let host = "";
  try {
    const url = new URL(spec.url);
    target = `${url.pathname}${url.search}`;
    host = url.host;
  } catch {
    // fetch refuses it too; the URL's length stands in
  }
  // "METHOD target HTTP/1.1\r\n", "Host: h\r\n", the blank line.
  let bytes = spec.method.length + 1 + target.length + 11 + 8 + host.length + 2 + FETCH_OWN_HEADER_BYTES;
  for (const [name, value] of spec.headers) bytes += name.length + value.length + 4;
  const body = spec.body?.byteLength ?? 0;
  if (body > 0) bytes += 18 + String(body).length + body;
  return bytes;
}

/** Estimated bytes of a response's head: status line and each header as `name: value\r\n`, and the blank line. */
export function estimateResponseHeadBytes(res: Response): number {
  let bytes = 15 + res.statusText.length + 2;
  res.headers.forEach((value, name) => {
    bytes += name.length + value.length + 4;
  });
  return bytes;
}
