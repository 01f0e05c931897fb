import { bodyText, requestName, splitRequestUrl, type Checks, type TestConfig } from "../../protocol/index.ts";
import type { PlannedChecks, PlannedRequest } from "./request-spec.ts";

/**
 * The planner's half for scenarios (issue 11): a test's `requests` resolved for sending, each
 * with an absolute URL, its method upper-case, its name, JSON bodies stringified with a
 * content-type, and its checks (its own, else the test's).
 */

/** A test's checks as the driver keeps them; null when there are none. */
export function plannedChecks(checks: Checks | undefined): PlannedChecks | null {
  if (checks === undefined) return null;
  const planned: PlannedChecks = {};
  if (checks.status !== undefined) planned.status = [...checks.status];
  if (checks.body_includes !== undefined) planned.bodyIncludes = checks.body_includes;
  if (checks.max_latency_ms !== undefined) planned.maxLatencyMs = checks.max_latency_ms;
  return Object.keys(planned).length > 0 ? planned : null;
}

/** True when `headers` sets a content-type (any letter case). */
const hasContentType = (headers: readonly [string, string][]) => headers.some(([name]) => name.toLowerCase() === "content-type");

/**
 * The test's requests, resolved (see the file comment); undefined when it has none and no checks.
 * A test with `checks` and no `requests` gets one GET of its target_url, so the checks apply.
 * Expects a configuration `checkRunnable` accepted (a path has target_url's origin to join).
 */
export function planRequests(config: TestConfig): PlannedRequest[] | undefined {
  const requests = config.requests ?? (config.checks !== undefined && config.target_url !== undefined ? [{ url: config.target_url }] : undefined);
  if (requests === undefined) return undefined;
  const targetOrigin = config.target_url !== undefined && URL.canParse(config.target_url) ? new URL(config.target_url).origin : null;
  return requests.map((request): PlannedRequest => {
    const split = splitRequestUrl(request.url);
    if ("error" in split) throw new Error(`requests: ${request.url}: ${split.error}`);
    const origin = split.origin ?? targetOrigin;
    if (origin === null) throw new Error(`requests: ${request.url} needs target_url`);
    const method = request.method ?? "GET";
    const headers = Object.entries(request.headers ?? {});
    const body = bodyText(request.body);
    if (body !== null && typeof request.body !== "string" && !hasContentType(headers)) headers.push(["content-type", "application/json"]);
    return {
      name: requestName({ ...request, method }),
      method,
      url: origin + split.path,
      headers,
      body,
      weight: request.weight ?? 1,
      checks: plannedChecks(request.checks ?? config.checks),
    };
  });
}
