import { MAX_TEST_CONFIG_BYTES, splitRequestUrl, type Issue, type RequestConfig } from "../protocol/index.ts";

/**
 * The API's own rules for a test's scenario fields (issue 11), beside the drivers' (`checkRunnable`):
 * every request URL passes `--allow-target`, a test without a count ends by itself, and the
 * scenario fits in one test_config message.
 */

/** Most bytes `requests` and `data` may take as JSON: the test_config message, less room for its other fields (ids, the driver list, the signature). */
export const MAX_SCENARIO_BYTES = MAX_TEST_CONFIG_BYTES - 1024 * 1024;

/** A missing `message_count_per_driver` is allowed only when `duration_s` or `stages` (given, even if invalid) ends the test. */
export function countIssues(count: number | undefined, ends: { duration_s?: unknown; stages?: unknown }): Issue[] {
  if (count !== undefined || ends.duration_s !== undefined || ends.stages !== undefined) return [];
  return [{ path: "message_count_per_driver", message: "required unless duration_s or stages ends the test" }];
}

/** Every absolute request URL whose origin `allowed` refuses (a path takes the target's origin, judged as target_url). */
export function scenarioAllowIssues(requests: readonly RequestConfig[] | undefined, allowed: (origin: string) => boolean, allowTargets: readonly string[]): Issue[] {
  const issues: Issue[] = [];
  (requests ?? []).forEach((request, i) => {
    const split = splitRequestUrl(request.url);
    if ("error" in split || split.origin === null) return;
    if (!allowed(split.origin)) {
      issues.push({
        path: `requests.${i}.url`,
        message: `target ${new URL(split.origin).host} is not allowed; allowed: ${allowTargets.join(", ")} (start the orchestrator with --allow-target)`,
      });
    }
  });
  return issues;
}

/** A scenario larger than one test_config message can carry, naming the larger of `requests` and `data`. */
export function scenarioSizeIssues(requests: readonly RequestConfig[] | undefined, data: readonly unknown[] | undefined): Issue[] {
  const bytes = (value: unknown) => (value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value)));
  const sizes = { requests: bytes(requests), data: bytes(data) };
  const total = sizes.requests + sizes.data;
  if (total <= MAX_SCENARIO_BYTES) return [];
  const path = sizes.requests >= sizes.data ? "requests" : "data";
  return [{ path, message: `requests and data take ${total} bytes as JSON (requests ${sizes.requests}, data ${sizes.data}); a test configuration carries at most ${MAX_SCENARIO_BYTES} of them over Kafka` }];
}
