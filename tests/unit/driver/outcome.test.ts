import { expect, test } from "bun:test";
import { isResponse, outcomeOfFailure, type Outcome, outcomeOfStatus, STOP_REASON, TIMEOUT_REASON } from "../../../src/driver/outcome.ts";

test("classifies statuses by class, with anything unexpected as a server error", () => {
  const statuses = [200, 204, 299, 301, 304, 400, 404, 429, 499, 500, 503, 599, 600, 101];
  expect(statuses.map(outcomeOfStatus)).toEqual([
    "status_2xx", "status_2xx", "status_2xx",
    "status_3xx", "status_3xx",
    "status_4xx", "status_4xx", "status_4xx", "status_4xx",
    "status_5xx", "status_5xx", "status_5xx", "status_5xx", "status_5xx",
  ]);
});

test("classifies a failure as a timeout only when our deadline aborted it", () => {
  const aborted = (reason: string) => AbortSignal.abort(reason);
  expect([outcomeOfFailure(aborted(TIMEOUT_REASON)), outcomeOfFailure(new AbortController().signal), outcomeOfFailure(aborted(STOP_REASON))]).toEqual([
    "timeout",
    "connection_error",
    "stopped",
  ]);
});

test("counts only outcomes with a response as completed", () => {
  const outcomes: Outcome[] = ["status_2xx", "status_3xx", "status_4xx", "status_5xx", "timeout", "connection_error", "stopped"];
  expect(outcomes.filter(isResponse)).toEqual(["status_2xx", "status_3xx", "status_4xx", "status_5xx"]);
});
