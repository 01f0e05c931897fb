// Flags shared by the subcommands, and the test flags turned into a `POST /tests` body.
import { readFileSync } from "node:fs";
import type { Issue } from "../protocol/index.ts";
import { DEFAULT_ORCHESTRATOR_URL, OrchestratorClient } from "./client.ts";
import type { ReadFile } from "./scenario/request-flags.ts";
import { loadScenario } from "./scenario/scenario-file.ts";
import { scenarioFlagFields, type ScenarioFlags } from "./scenario/scenario-request.ts";
import { unknownRequestNameErrors } from "./scenario/threshold-names.ts";
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
  method: { type: "string", short: "X" },
  header: { type: "string", short: "H", multiple: true },
  data: { type: "string", short: "d", multiple: true },
  insecure: { type: "boolean", short: "k" },
  duration: { type: "string" },
  stage: { type: "string", multiple: true },
  check: { type: "string", multiple: true },
  scenario: { type: "string" },
} as const;

export const TEST_HELP = `  --type <avalanche|tsunami>  AVALANCHE sends as fast as allowed; TSUNAMI waits --delay between sends (required)
  --count <n>            requests per driver (required unless --duration or --stage is given)
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
  --junit <file>         also write the thresholds (and whether the test ended done) as JUnit XML
Scenario flags (curl-like; the request goes to the target URL):
  -X, --method <m>       request method: GET HEAD POST PUT PATCH DELETE OPTIONS (default GET;
                         POST with -d)
  -H, --header <'k: v'>  request header, repeatable, e.g. -H 'authorization: Bearer \${env:API_TOKEN}'
  -d, --data <text|@f>   request body; @file sends that file's content as is. Without a
                         content-type header: application/json when the body starts with { or [,
                         else application/x-www-form-urlencoded (as curl)
  -k, --insecure         accept the target's self-signed TLS certificate (tls_insecure)
  --duration <d>         send for this long (30s, 500ms, 5m, 1h30m; with --count, whichever ends first)
  --stage <d:rps>        ramp, repeatable: each driver's rate goes linearly to rps over d,
                         e.g. --stage 10s:200 --stage 20s:1000 --stage 5s:0
  --check <k=v>          response check, repeatable: status=200[,201], body_includes=TEXT,
                         max_latency_ms=MS; a failed one counts as check_failed
  --scenario <file>      the whole test from a JSON or YAML file (POST /tests fields: requests,
                         data, checks, stages, …, plus thresholds: [...]); flags given beside it
                         replace its fields
  Templates in URLs, header values and bodies: \${seq} \${node_id} \${test_id} \${uuid}
  \${rand_int:MIN:MAX} \${now_ms} \${env:NAME} (the driver's environment) \${data.FIELD}`;

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
  duration_s: "--duration",
  stages: "--stage",
  checks: "--check",
  tls_insecure: "--insecure",
};

/** The flag of each field of the one request -X/-H/-d build (`requests.0.headers` is -H). */
const FLAG_OF_REQUEST_FIELD: Record<string, string> = { method: "-X", headers: "-H", body: "-d", url: "--target" };

/**
 * API issues phrased with flag names: "--count: must be at least 1". With `sources` (which
 * flag or scenario file set each field), a field from a scenario file is named by its file
 * and path: "--scenario api.yaml: requests.1.weight: …".
 */
export function issuesAsFlags(issues: readonly Issue[], sources: Readonly<Record<string, string>> = {}): string[] {
  return issues.map((i) => {
    const [top = "", index, field] = i.path.split(".");
    const source = sources[top];
    if (source?.startsWith("--scenario")) return `${source}: ${i.path}: ${i.message}`;
    if (top === "requests" && source !== undefined) return `${(index === "0" && FLAG_OF_REQUEST_FIELD[field ?? ""]) || source}: ${i.message}`;
    // "abort_on.1" is the second --abort-on: named by its flag, the message quotes the entry.
    return `${FLAG_OF_FIELD[i.path] ?? FLAG_OF_FIELD[top] ?? i.path}: ${i.message}`;
  });
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
}> &
  ScenarioFlags;

/** What the test flags read from disk (-d @file, --scenario); tests pass their own. */
export interface TestFlagsDeps {
  readFile: ReadFile;
}

const READ_FILE: TestFlagsDeps = { readFile: (path) => readFileSync(path, "utf8") };

/** `--abort-on` values, each one expression or a comma list of them. */
export function abortOnList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((t) => t.trim()).filter((t) => t !== "");
}

/** What testRequestFromFlags answers: the body, the thresholds, and which flag or file set each field. */
export type TestRequestFromFlags =
  | { ok: true; body: Record<string, unknown>; thresholds: Threshold[]; sources: Record<string, string> }
  | { ok: false; errors: string[] };

/**
 * The test flags as a `POST /tests` body (with `trigger: true`) and the parsed thresholds;
 * every problem is reported at once. Ranges are the API's to check. A `--scenario` file gives
 * the starting fields (and thresholds); each flag given beside it replaces its field.
 */
export function testRequestFromFlags(flags: TestFlags, deps: TestFlagsDeps = READ_FILE): TestRequestFromFlags {
  const errors: string[] = [];
  const loaded = flags.scenario === undefined ? undefined : loadScenario(flags.scenario, deps.readFile);
  if (loaded !== undefined && !loaded.ok) errors.push(loaded.error);
  const scenario = loaded?.ok ? loaded.scenario : undefined;
  const given = scenario?.fields ?? {};
  const sources: Record<string, string> = Object.fromEntries(Object.keys(given).map((key) => [key, `--scenario ${scenario!.path}`]));
  const body: Record<string, unknown> = { ...given, trigger: true };
  const orFile = (field: string) => (scenario ? ` (or ${field} in ${scenario.path})` : "");
  const type = flags.type?.toUpperCase();
  if (type === undefined) {
    if (given.test_type === undefined) errors.push(`--type is required${orFile("test_type")}: avalanche or tsunami`);
  } else if (type !== "AVALANCHE" && type !== "TSUNAMI") errors.push(`--type must be avalanche or tsunami, got "${flags.type}"`);
  else [body.test_type, sources.test_type] = [type, "--type"];
  const timed = [flags.duration, flags.stage, given.duration_s, given.stages].some((v) => v !== undefined);
  if (flags.count === undefined && given.message_count_per_driver === undefined && !timed) {
    errors.push(`--count is required${orFile("message_count_per_driver")}: requests per driver (or --duration/--stage to send for a time)`);
  }
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
    else [body[field], sources[field]] = [n, `--${flag}`];
  }
  const effectiveType = type ?? String(given.test_type ?? "").toUpperCase();
  if (effectiveType === "TSUNAMI" && flags.delay === undefined && given.test_message_delay === undefined) {
    errors.push(`--delay is required for a tsunami test${orFile("test_message_delay")} (milliseconds between sends)`);
  }
  if (flags.target !== undefined) [body.target_url, sources.target_url] = [flags.target, "--target"];
  const target = typeof body.target_url === "string" ? body.target_url : undefined;
  const scenarioFlags = scenarioFlagFields(flags, target, deps.readFile);
  errors.push(...scenarioFlags.errors);
  Object.assign(body, scenarioFlags.fields);
  Object.assign(sources, scenarioFlags.sources);
  const fromFile = flags.threshold === undefined && scenario?.thresholds !== undefined;
  const thresholds = parseThresholds(fromFile ? scenario!.thresholds! : (flags.threshold ?? []), fromFile ? `--scenario ${scenario!.path}: thresholds` : "--threshold");
  if (!thresholds.ok) errors.push(...thresholds.errors);
  else errors.push(...unknownRequestNameErrors(thresholds.value, body.requests, fromFile ? `--scenario ${scenario!.path}: thresholds` : "--threshold"));
  const abortOn = abortOnList(flags["abort-on"]);
  const aborts = parseThresholds(abortOn, "--abort-on");
  if (!aborts.ok) errors.push(...aborts.errors);
  if (abortOn.length > 0) [body.abort_on, sources.abort_on] = [abortOn, "--abort-on"];
  else if (flags["abort-on"] !== undefined) errors.push("--abort-on: give at least one threshold, e.g. --abort-on 'errors>5%'");
  for (const flag of ["abort-window-s", "abort-delay-s"] as const) {
    if (flags[flag] !== undefined && flags["abort-on"] === undefined && given.abort_on === undefined) errors.push(`--${flag} only applies with --abort-on`);
  }
  return errors.length > 0 || !thresholds.ok ? { ok: false, errors } : { ok: true, body, thresholds: thresholds.value, sources };
}

/** A client from --orchestrator/--token or LOADTEST_URL/ORCHESTRATOR_TOKEN. */
export function clientFrom(flags: { orchestrator?: string; token?: string }, env: Record<string, string | undefined>, fetchFn?: typeof fetch): OrchestratorClient {
  const token = flags.token ?? (env.ORCHESTRATOR_TOKEN || undefined);
  return new OrchestratorClient({ baseUrl: flags.orchestrator ?? (env.LOADTEST_URL || DEFAULT_ORCHESTRATOR_URL), token, fetch: fetchFn });
}
