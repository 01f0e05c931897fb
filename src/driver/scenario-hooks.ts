import type { RunPlan } from "./run-plan.ts";
import type { PlannedChecks, RequestSource } from "./scenario/request-spec.ts";
import { checkResponse } from "./scenario/checks.ts";
import { createRequestSource } from "./scenario/request-source.ts";

/**
 * The scenario module's two functions the driver runs a plan with `requests` on (issue 11):
 * the request source (smooth weighted round-robin, templates) and the checks. Injected, so the
 * send loop, the test run and the send workers take them from one place (tests pass stubs).
 */

/** Builds the RequestSource of a plan with requests, for this driver (`${node_id}`, `${test_id}`). */
export type RequestSourceFactory = (plan: RunPlan, context: { nodeId: string; testId: string }) => RequestSource;

/** Why a response fails `checks` (the first failing check), or null when it passes. */
export type CheckResponse = (checks: PlannedChecks, status: number, latencyMs: number, body?: Uint8Array) => string | null;

/** What a driver needs to run scenarios. */
export interface ScenarioHooks {
  createRequestSource: RequestSourceFactory;
  checkResponse: CheckResponse;
}

/**
 * The real hooks, from src/driver/scenario/ (request-source.ts, checks.ts). A TestRun given
 * none (null) refuses a plan with requests at its start with a clear error instead of sending
 * the wrong request.
 */
export const scenarioHooks: ScenarioHooks | null = { createRequestSource, checkResponse };
