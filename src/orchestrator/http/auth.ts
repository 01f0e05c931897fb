import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "./errors.ts";

/** Methods that change state and so need the token. */
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Compares a presented token with the expected one in constant time (equal-length SHA-256 digests). */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * Requires `Authorization: Bearer <token>` on mutating requests when a token is configured;
 * reads stay open. Without a token every request passes.
 */
export function bearerToken(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token && MUTATING.has(c.req.method)) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
      if (!match || !tokenMatches(match[1]!, token)) {
        c.header("WWW-Authenticate", 'Bearer realm="orchestrator"');
        throw new ApiError(401, "a valid bearer token is required (Authorization: Bearer <ORCHESTRATOR_TOKEN>)");
      }
    }
    await next();
  };
}
