import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { ApiError } from "./errors.ts";

/** Methods that change state and so need the token. */
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** What a bearer token may hold (RFC 6750's token68, as hono/bearer-auth accepts it). */
export const BEARER_TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Compares a presented token with the expected one in constant time (equal-length SHA-256 digests). */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Every refusal (no header, not `Bearer <token>`, wrong token) is the same 401 with the API's error body. */
function refuse(c: Context): never {
  c.header("WWW-Authenticate", 'Bearer realm="orchestrator"');
  throw new ApiError(401, "a valid bearer token is required (Authorization: Bearer <ORCHESTRATOR_TOKEN>)");
}

/**
 * Requires `Authorization: Bearer <token>` on mutating requests when a token is configured
 * (hono/bearer-auth with our constant-time compare); reads stay open. Without a token every
 * request passes.
 */
export function bearerToken(token: string | undefined): MiddlewareHandler {
  if (!token) return async (_c, next) => next();
  const auth = bearerAuth({
    verifyToken: (presented) => tokenMatches(presented, token),
    noAuthenticationHeader: { message: refuse },
    invalidAuthenticationHeader: { message: refuse },
    invalidToken: { message: refuse },
  });
  return async (c, next) => (MUTATING.has(c.req.method) ? auth(c, next) : next());
}
