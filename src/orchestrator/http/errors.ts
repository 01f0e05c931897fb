import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "../../log.ts";
import type { Issue } from "../../protocol/index.ts";
import { OrchestratorError, type OrchestratorErrorKind } from "../errors.ts";

/** An error answered as `{"error": message, "issues": [...]}` with its status. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const STATUS_OF: Record<OrchestratorErrorKind, ContentfulStatusCode> = {
  invalid: 422,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
};

/** The error body every failure shares. */
export const errorBody = (error: string, issues: Issue[] = []) => ({ error, issues });

/** The app's one error handler: known refusals keep their status, anything else is a logged 500 without details. */
export function onError(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof ApiError) return c.json(errorBody(err.message, err.issues), err.status);
    if (err instanceof OrchestratorError) return c.json(errorBody(err.message, err.issues), STATUS_OF[err.kind]);
    if (err instanceof HTTPException) {
      const message = err.status === 413 ? "request body too large" : err.message || "request refused";
      return c.json(errorBody(message), err.status as ContentfulStatusCode);
    }
    log.error("request failed", { method: c.req.method, path: c.req.path, err });
    return c.json(errorBody("internal error"), 500);
  };
}
