import type { Issue } from "./codec.ts";
import { dataFields } from "./template-syntax.ts";
import { splitRequestUrl } from "./url-rules.ts";

/** The scenario fields {@link scenarioIssues} judges across, each already valid on its own. */
export interface ScenarioFields {
  target_url?: string;
  requests?: readonly { url: string; headers?: Record<string, string>; body?: unknown }[];
  data?: readonly unknown[];
}

/** The texts of a request that may hold templates, each with its field path. */
function templatedTexts(request: NonNullable<ScenarioFields["requests"]>[number], i: number): [path: string, text: string][] {
  const texts: [string, string][] = [[`requests.${i}.url`, request.url]];
  for (const [name, value] of Object.entries(request.headers ?? {})) texts.push([`requests.${i}.headers.${name}`, value]);
  if (request.body !== undefined && request.body !== null) {
    texts.push([`requests.${i}.body`, typeof request.body === "string" ? request.body : JSON.stringify(request.body)]);
  }
  return texts;
}

/**
 * Every reason a scenario cannot run, across fields (pure): a URL that is a path needs
 * `target_url` (its origin is joined to it), and a `${data.FIELD}` template needs `data` rows.
 * The allow-target rule, which depends on who judges, is the API's and the driver's edge policy.
 */
export function scenarioIssues(fields: ScenarioFields): Issue[] {
  const issues: Issue[] = [];
  const hasData = fields.data !== undefined && fields.data.length > 0;
  (fields.requests ?? []).forEach((request, i) => {
    const split = splitRequestUrl(request.url);
    if (!("error" in split) && split.origin === null && fields.target_url === undefined) {
      issues.push({ path: `requests.${i}.url`, message: "a path needs target_url (its origin is joined to the path); give target_url or an absolute URL" });
    }
    if (hasData) return;
    for (const [path, text] of templatedTexts(request, i)) {
      const [field] = dataFields(text);
      if (field !== undefined) issues.push({ path, message: `\${data.${field}} needs a data array of rows in the test` });
    }
  });
  return issues;
}
