import { z } from "zod";
import { NO_DELAY, parseDelayRange } from "./delay.ts";

/** Usage text printed by `--help`. */
export const HELP_TEXT = `Usage: bun run target [flags]

HTTP target for the load tester: GET /ping answers {"message":"pong"}; /items and
/status/:code give scenarios a small JSON API to aim at.

Flags (environment variable in brackets; a flag wins over its variable):
  --port <n>           port to listen on, 0 picks a free one [PORT] (default 8080)
  --host <addr>        address to bind (default 0.0.0.0)
  --delay-ms <ms|a-b>  delay every /ping response: fixed (50) or uniform range (20-80) [TARGET_DELAY_MS]
  --error-rate <f>     fraction in [0,1] of /ping requests answered 500 {"error":"injected"} [TARGET_ERROR_RATE]
  -h, --help           print this help
  -v, --version        print the version

Endpoints:
  GET  /ping                   200 {"message":"pong"}; ?delay_ms=30 or 20-80 and ?status=503 override per request
  POST /items                  reads the body, 201 {"bytes":N} (its size)
  GET  /items/:id              200 {"id":"<id>"}; PUT/PATCH read the body, 200 {"id","bytes"}; DELETE 204
  ANY  /status/:code           that status (200..599) with {"status":code}; another code 400
  GET  /metrics                Prometheus text: request_seconds histogram, requests_received_total, responses_sent_total
  GET  /metrics?format=json    the same counters as JSON, with by_route ("POST /items": responses, by_status)
  POST /reset                  zero every counter
`;

const VALUE_FLAGS = { "--port": "port", "--host": "host", "--delay-ms": "delay_ms", "--error-rate": "error_rate" } as const;
const ENV_VARS = { port: "PORT", delay_ms: "TARGET_DELAY_MS", error_rate: "TARGET_ERROR_RATE" } as const;
type Field = (typeof VALUE_FLAGS)[keyof typeof VALUE_FLAGS];

const NUMBER_PATTERN = /^\d+(\.\d+)?$/;

/** Validated target settings; defaults live here. */
export const TargetOptionsSchema = z.strictObject({
  port: z
    .string()
    .regex(/^\d+$/, "must be an integer from 0 to 65535")
    .transform(Number)
    .pipe(z.number().max(65535, "must be an integer from 0 to 65535"))
    .default(8080),
  host: z.string().trim().min(1, "must not be empty").default("0.0.0.0"),
  delay_ms: z
    .string()
    .transform((text, ctx) => {
      const range = parseDelayRange(text);
      if (typeof range === "string") ctx.addIssue({ code: "custom", message: range });
      return typeof range === "string" ? z.NEVER : range;
    })
    .default(NO_DELAY),
  error_rate: z
    .string()
    .regex(NUMBER_PATTERN, "must be a number from 0 to 1")
    .transform(Number)
    .pipe(z.number().max(1, "must be a number from 0 to 1"))
    .default(0),
});

/** Target settings after validation. */
export type TargetOptions = z.infer<typeof TargetOptionsSchema>;

/** What the command line asks for. */
export type TargetCommand =
  | { kind: "run"; options: TargetOptions }
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "invalid"; errors: string[] };

/** Parses flags (argv without the runtime and script) and env; every bad flag or variable is reported by name. */
export function parseTargetCommand(argv: readonly string[], env: Record<string, string | undefined>): TargetCommand {
  const errors: string[] = [];
  const raw: Partial<Record<Field, string>> = {};
  const sources: Partial<Record<Field, string>> = {};
  let wants: "help" | "version" | undefined;

  for (const [field, name] of Object.entries(ENV_VARS) as [Field, string][]) {
    const value = env[name];
    if (value !== undefined && value !== "") [raw[field], sources[field]] = [value, name];
  }
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "-h" || token === "--help") wants = "help";
    else if (token === "-v" || token === "--version") wants ??= "version";
    else if (token.startsWith("-")) {
      const eq = token.indexOf("=");
      const flag = eq === -1 ? token : token.slice(0, eq);
      const field = VALUE_FLAGS[flag as keyof typeof VALUE_FLAGS];
      if (field === undefined) {
        errors.push(`${flag}: unknown flag (see --help)`);
        continue;
      }
      // A following flag is not a value: `--port --host x` reports the missing port.
      const next = argv[i + 1];
      const value = eq !== -1 ? token.slice(eq + 1) : next === undefined || next.startsWith("--") ? undefined : argv[++i];
      if (value === undefined) errors.push(`${flag}: missing value`);
      else [raw[field], sources[field]] = [value, flag];
    } else errors.push(`unexpected argument "${token}" (see --help)`);
  }
  if (wants !== undefined) return { kind: wants };

  const parsed = TargetOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as Field;
      errors.push(`${sources[field] ?? field}: ${issue.message}, got "${raw[field]}"`);
    }
  }
  if (errors.length > 0) return { kind: "invalid", errors };
  return { kind: "run", options: parsed.data! };
}
