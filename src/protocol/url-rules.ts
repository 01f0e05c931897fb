import { hasTemplates } from "./template-syntax.ts";

/** The URL rules of a test, on their own so every protocol file can use them without an import cycle. */

/**
 * Every reason `text` cannot be a target URL: it must be an absolute http:// or https:// URL
 * without credentials. The one rule for the API and the CLI (`TargetUrlSchema`) and the
 * driver (`checkRunnable`).
 */
export function targetUrlIssues(text: string): string[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return ["must be an absolute http:// or https:// URL"];
  }
  const issues: string[] = [];
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    issues.push(`scheme "${url.protocol.replace(/:$/, "")}" is not allowed: use http or https`);
  }
  if (url.username || url.password) issues.push("must not carry credentials");
  return issues;
}

/**
 * The parts of a request URL: the origin (`http://host:port`, lower-case, no templates) and the
 * request target (path and query, templates allowed, fragment dropped). A URL starting with `/`
 * has no origin of its own (`origin: null`).
 */
export function splitRequestUrl(text: string): { origin: string | null; path: string } | { error: string } {
  const noFragment = text.replace(/#.*$/s, "");
  if (noFragment.startsWith("/")) return { origin: null, path: noFragment };
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)(.*)$/is.exec(noFragment);
  if (!match) return { error: "must be an absolute http(s) URL or a path starting with /" };
  const [, authority, rest] = match;
  if (hasTemplates(authority!)) return { error: "templates may only appear in the path and query, not in the scheme, host or port" };
  const issues = targetUrlIssues(authority!);
  if (issues.length > 0) return { error: issues.join("; ") };
  const path = rest === "" ? "/" : rest!.startsWith("?") ? `/${rest}` : rest!;
  return { origin: new URL(authority!).origin, path };
}
