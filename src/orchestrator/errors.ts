import type { Issue } from "../protocol/index.ts";

/** Why the core refused a request; the API maps each kind to an HTTP status. */
export type OrchestratorErrorKind = "invalid" | "forbidden" | "not_found" | "conflict" | "unavailable";

/** A refusal the caller can act on (never a bug): unknown test, wrong state, no drivers, bus down. */
export class OrchestratorError extends Error {
  constructor(
    readonly kind: OrchestratorErrorKind,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
    this.name = "OrchestratorError";
  }
}
