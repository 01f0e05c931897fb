// Per-request thresholds (`p99{name:create}<300`) checked against the test's request names
// before the test starts, so a typo fails at once rather than after the whole run.
import { requestName, type RequestConfig } from "../../protocol/scenario.ts";
import type { Threshold } from "../thresholds.ts";

/** The names the test's requests will carry (their own, else `METHOD path`); null when the body has no requests list. */
function namesOf(requests: unknown): string[] | null {
  if (!Array.isArray(requests)) return null;
  return requests.flatMap((r) => {
    if (typeof r !== "object" || r === null) return [];
    const { name, method, url } = r as { name?: unknown; method?: unknown; url?: unknown };
    if (typeof name === "string") return [name];
    if (typeof url !== "string") return [];
    return [requestName({ url, ...(typeof method === "string" ? { method: method.toUpperCase() as RequestConfig["method"] } : {}) })];
  });
}

/**
 * One error per tagged threshold whose `{name:…}` no request of the test has, naming the flag
 * (or file) it came from and the names there are; none when every tag names a request.
 */
export function unknownRequestNameErrors(thresholds: readonly Threshold[], requests: unknown, flag: string): string[] {
  const tagged = thresholds.filter((t) => t.name !== undefined);
  if (tagged.length === 0) return [];
  const names = namesOf(requests);
  return tagged.flatMap((t) => {
    if (names === null) return [`${flag} "${t.text}": the test has no requests list, so no request is named "${t.name}" (name requests in --scenario, or drop the {name:…} tag)`];
    if (names.includes(t.name!)) return [];
    return [`${flag} "${t.text}": no request named "${t.name}"; the test's requests: ${names.map((n) => `"${n}"`).join(", ")}`];
  });
}
