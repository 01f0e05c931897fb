import type { PlannedChecks } from "./request-spec.ts";

/**
 * Judges one response against its request's checks (issue 11), in a fixed order: status, then
 * body, then latency. The reason is the first failure's, kept per request name in the reports.
 */

/** How many body bytes a `body_includes` check reads (the rest of the body is drained unread). */
export const CHECK_BODY_BYTES = 64 * 1024;

const utf8 = new TextEncoder();
/** Encoded needles, so a hot check does not re-encode its text per response. */
const needles = new WeakMap<PlannedChecks, Uint8Array>();

/** Where `needle` first occurs in `haystack`; -1 when it does not. */
function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  if (needle.byteLength === 0) return 0;
  const first = needle[0]!;
  const last = haystack.byteLength - needle.byteLength;
  outer: for (let i = haystack.indexOf(first); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    for (let j = 1; j < needle.byteLength; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Latency as the reasons print it: whole ms, or one decimal under 10 ms. */
const ms = (value: number) => (value >= 10 ? String(Math.round(value)) : String(Math.round(value * 10) / 10));

/**
 * The first check `status`, `body` and `latencyMs` fail, as a reason (`status 500 not in [200,201]`,
 * `body does not include "pong"`, `latency 612 ms > 500 ms`); null when all pass or there are no checks.
 * `body` is the captured start of the body (CHECK_BODY_BYTES): text beyond it counts as missing.
 */
export function checkResponse(checks: PlannedChecks | null | undefined, status: number, latencyMs: number, body?: Uint8Array): string | null {
  if (!checks) return null;
  if (checks.status !== undefined && !checks.status.includes(status)) return `status ${status} not in [${checks.status.join(",")}]`;
  if (checks.bodyIncludes !== undefined) {
    let needle = needles.get(checks);
    if (needle === undefined) needles.set(checks, (needle = utf8.encode(checks.bodyIncludes)));
    if (body === undefined || indexOfBytes(body, needle) < 0) return `body does not include ${JSON.stringify(checks.bodyIncludes)}`;
  }
  if (checks.maxLatencyMs !== undefined && latencyMs > checks.maxLatencyMs) return `latency ${ms(latencyMs)} ms > ${checks.maxLatencyMs} ms`;
  return null;
}
