// Flags shared by the subcommands, and the test flags turned into a `POST /tests` body.
import type { Issue } from "../protocol/index.ts";
import { DEFAULT_ORCHESTRATOR_URL, OrchestratorClient } from "./client.ts";
import { parseThresholds, type Threshold } from "./thresholds.ts";

/** --orchestrator and --token, on every command that talks to an orchestrator. */
export const CONNECTION_FLAGS = {
  orchestrator: { type: "string" },
  token: { type: "string" },
} as const;

export const CONNECTION_HELP = `  --orchestrator <url>   the orchestrator [LOADTEST_URL] (default ${DEFAULT_ORCHESTRATOR_URL})
  --token <token>        bearer token for starting and stopping tests [ORCHESTRATOR_TOKEN]`;

/** Flags that describe a test, shared by `start` and `run`. */
export const TEST_FLAGS = {
  type: { type: "string" },
  count: { type: "string" },
  delay: { type: "string" },
  rps: { type: "string" },
  target: { type: "string" },
  concurrency: { type: "string" },
  timeout: { type: "string" },
  threshold: { type: "string", multiple: true },
  "abort-on": { type: "string", multiple: true },
  "abort-window-s": { type: "string" },
  "abort-delay-s": { type: "string" },
  json: { type: "boolean" },
  junit: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export const TEST_HELP = `  --type <avalanche|tsunami>  AVALANCHE sends as fast as allowed; TSUNAMI waits --delay between sends (required)
  --count <n>            requests per driver (required)
  --delay <ms>           TSUNAMI: milliseconds between one driver's sends
  --rps <x>              cap on each driver's requests per second
  --target <url>         URL to load (default: the orchestrator's --target)
  --concurrency <c>      AVALANCHE: requests in flight per driver
  --timeout <ms>         per-request timeout
  --threshold <expr>     pass/fail criterion, repeatable: p50|p90|p95|p99|max|mean|min <op> ms,
                         rps <op> n, errors|late <op> n or n%; op is < <= > >=
                         checks <op> n% (responses passing their checks), and any of them for
                         one request with a k6 tag: 'p99{name:create}<300'
                         e.g. --threshold 'p99<200' --threshold 'errors<1%' (exit 99 if one fails)
  --abort-on <expr>      stop the test as soon as this holds, repeatable or a comma list, same syntax
                         as --threshold, e.g. --abort-on 'errors>5%,p99>2000' (exit 99 when one fires)
  --abort-window-s <s>   seconds of merged per-second figures --abort-on judges (default 5)
  --abort-delay-s <s>    no abort in the first seconds after the start (default 10)
  --json                 print the result as JSON (no progress line)
  --junit <file>         also write the thresholds (and whether the test ended done) as JUnit XML`;

/** Which flag sets each API field, to name flags in the API's complaints. */
export const FLAG_OF_FIELD: Record<string, string> = {
  test_type: "--type",
  message_count_per_driver: "--count",
  test_message_delay: "--delay",
  target_throughput: "--rps",
  target_url: "--target",
  concurrency: "--concurrency",
  timeout_ms: "--timeout",
  abort_on: "--abort-on",
  abort_window_s: "--abort-window-s",
  abort_delay_s: "--abort-delay-s",
};

/** API issues phrased with flag names: "--count: must be at least 1". */
export function issuesAsFlags(issues: readonly Issue[]): string[] {
  // "abort_on.1" is the second --abort-on: named by its flag, the message quotes the entry.
  return issues.map((i) => `${FLAG_OF_FIELD[i.path] ?? FLAG_OF_FIELD[i.path.split(".")[0]!] ?? i.path}: ${i.message}`);
}

/** The test flags as parseArgs returns them (strings; the API judges ranges). */
export type TestFlags = Partial<{
  type: string;
  count: string;
  delay: string;
  rps: string;
  target: string;
  concurrency: string;
  timeout: string;
  threshold: string[];
  "abort-on": string[];
  "abort-window-s": string;
  "abort-delay-s": string;
}>;

/** `--abort-on` values, each one expression or a comma list of them. */
export function abortOnList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((t) => t.trim()).filter((t) => t !== "");
}

/**
 * The test flags as a `POST /tests` body (with `trigger: true`) and the parsed thresholds;
 * every problem is reported at once. Ranges are the API's to check.
 */
export function testRequestFromFlags(flags: TestFlags): { ok: true; body: Record<string, unknown>; thresholds: Threshold[] } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const body: Record<string, unknown> = { trigger: true };
  const type = flags.type?.toUpperCase();
  if (type === undefined) errors.push("--type is required: avalanche or tsunami");
  else if (type !== "AVALANCHE" && type !== "TSUNAMI") errors.push(`--type must be avalanche or tsunami, got "${flags.type}"`);
  else body.test_type = type;
  if (flags.count === undefined) errors.push("--count is required: requests per driver");
  const numbers = [
    ["count", "message_count_per_driver"],
    ["delay", "test_message_delay"],
    ["rps", "target_throughput"],
    ["concurrency", "concurrency"],
    ["timeout", "timeout_ms"],
    ["abort-window-s", "abort_window_s"],
    ["abort-delay-s", "abort_delay_s"],
  ] as const;
  for (const [flag, field] of numbers) {
    const raw = flags[flag];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n)) errors.push(`--${flag} must be a number, got "${raw}"`);
    else body[field] = n;
  }
  if (type === "TSUNAMI" && flags.delay === undefined) errors.push("--delay is required for a tsunami test (milliseconds between sends)");
  if (flags.target !== undefined) body.target_url = flags.target;
  const thresholds = parseThresholds(flags.threshold ?? []);
  if (!thresholds.ok) errors.push(...thresholds.errors);
  const abortOn = abortOnList(flags["abort-on"]);
  const aborts = parseThresholds(abortOn, "--abort-on");
  if (!aborts.ok) errors.push(...aborts.errors);
  if (abortOn.length > 0) body.abort_on = abortOn;
  else if (flags["abort-on"] !== undefined) errors.push("--abort-on: give at least one threshold, e.g. --abort-on 'errors>5%'");
  for (const flag of ["abort-window-s", "abort-delay-s"] as const) {
    if (flags[flag] !== undefined && flags["abort-on"] === undefined) errors.push(`--${flag} only applies with --abort-on`);
  }
  return errors.length > 0 || !thresholds.ok ? { ok: false, errors } : { ok: true, body, thresholds: thresholds.value };
}

/** A client from --orchestrator/--token or LOADTEST_URL/ORCHESTRATOR_TOKEN. */
export function clientFrom(flags: { orchestrator?: string; token?: string }, env: Record<string, string | undefined>, fetchFn?: typeof fetch): OrchestratorClient {
  const token = flags.token ?? (env.ORCHESTRATOR_TOKEN || undefined);
  return new OrchestratorClient({ baseUrl: flags.orchestrator ?? (env.LOADTEST_URL || DEFAULT_ORCHESTRATOR_URL), token, fetch: fetchFn });
}
