// Response bodies and headers shared by every request. A Bun Response cannot be sent twice
// (Bun 1.4), so each request builds a new Response around these constants.

/** Headers of every JSON answer. */
export const JSON_HEADERS = { "content-type": "application/json" } as const;

/** Body of a successful `/ping`. */
export const PONG_BODY = '{"message":"pong"}';

/** Body of an injected error (error rate or `?status=`). */
export const INJECTED_BODY = '{"error":"injected"}';

/** Body of a 404. */
export const NOT_FOUND_BODY = '{"error":"not found"}';

/** Statuses whose responses must not carry a body. */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** A JSON response with a shared body constant. */
export function jsonResponse(body: string, status: number): Response {
  return new Response(NULL_BODY_STATUSES.has(status) ? null : body, { status, headers: JSON_HEADERS });
}

/** A JSON error response, for the cold paths (bad query, wrong method). */
export function errorResponse(status: number, error: string, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify({ error }), { status, headers: { ...JSON_HEADERS, ...headers } });
}
