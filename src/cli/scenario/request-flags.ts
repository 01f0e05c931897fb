// curl's flags for one request: `-X POST -H 'k: v' -d @body.json` as a test's `requests` entry.

/** Reads a file named on the command line as text (`-d @file`, `--scenario`); throws when it cannot. */
export type ReadFile = (path: string) => string;

/** The largest request body a test may carry (the API refuses more; checked here before reading). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The curl-like flags as parseArgs returns them. */
export interface RequestFlags {
  method?: string;
  header?: string[];
  data?: string[];
}

/** One `requests` entry of a test, as the CLI builds it (the API judges method and url). */
export interface RequestEntry {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

/** True when any of -X, -H, -d was given. */
export function hasRequestFlags(flags: RequestFlags): boolean {
  return flags.method !== undefined || (flags.header?.length ?? 0) > 0 || (flags.data?.length ?? 0) > 0;
}

/** A header name: an HTTP token (RFC 9110), so a typo like `-H 'a b: c'` is named here. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** `-H 'name: value'` lines as a headers object (names kept as typed); errors name each bad one. */
export function parseHeaders(lines: readonly string[]): { headers: Record<string, string>; errors: string[] } {
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  const errors: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = colon < 0 ? "" : line.slice(0, colon).trim();
    if (colon < 0) {
      errors.push(`-H "${line}": expected "name: value", e.g. -H 'authorization: Bearer x' (no colon)`);
    } else if (!TOKEN.test(name)) {
      errors.push(`-H "${line}": "${name}" is not a header name`);
    } else if (seen.has(name.toLowerCase())) {
      errors.push(`-H "${line}": header ${name} is given twice`);
    } else {
      seen.add(name.toLowerCase());
      headers[name] = line.slice(colon + 1).trim();
    }
  }
  return { headers, errors };
}

/**
 * `-d` as curl reads it: `@path` is the content of that file (sent as is, like curl's
 * --data-binary), anything else the text itself.
 */
export function readData(data: string, readFile: ReadFile): { body: string } | { error: string } {
  if (!data.startsWith("@")) return { body: data };
  const path = data.slice(1);
  if (path === "") return { error: `-d "@": name the file after @, e.g. -d @body.json` };
  try {
    const body = readFile(path);
    const bytes = Buffer.byteLength(body);
    if (bytes > MAX_BODY_BYTES) return { error: `-d @${path}: ${bytes} bytes, more than the ${MAX_BODY_BYTES} a request body may have` };
    return { body };
  } catch (err) {
    return { error: `-d @${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
}

/**
 * The request -X/-H/-d describe, sent to `url`. Like curl: -d without -X makes a POST, and
 * -d without a content-type header sends `application/json` when the body starts with `{` or
 * `[` (curl's `application/x-www-form-urlencoded` otherwise).
 */
export function requestFromFlags(flags: RequestFlags, url: string, readFile: ReadFile): { ok: true; request: RequestEntry } | { ok: false; errors: string[] } {
  const { headers, errors } = parseHeaders(flags.header ?? []);
  const data = flags.data ?? [];
  if (data.length > 1) errors.push(`-d is given ${data.length} times; give the body once (-d @file for a long one)`);
  const read = data.length === 1 ? readData(data[0]!, readFile) : undefined;
  if (read && "error" in read) errors.push(read.error);
  const method = flags.method?.trim();
  if (method === "") errors.push("-X: give a method, e.g. -X POST");
  if (errors.length > 0) return { ok: false, errors };
  const request: RequestEntry = { method: (method ?? (read ? "POST" : "GET")).toUpperCase(), url };
  if (read && "body" in read) {
    request.body = read.body;
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
      headers["content-type"] = /^\s*[[{]/.test(read.body) ? "application/json" : "application/x-www-form-urlencoded";
    }
  }
  if (Object.keys(headers).length > 0) request.headers = headers;
  return { ok: true, request };
}
