import { kafkaConnectionFromEnv, type KafkaConnection } from "../bus/index.ts";
import { intFlag, type CommandSpec } from "../cli-flags.ts";
import { DEFAULT_ORCHESTRATOR_OPTIONS } from "./options.ts";
import { DEFAULT_RETAIN_RAW_MS, DEFAULT_SNAPSHOT_EVERY_MS } from "./compact-store.ts";
import { TargetUrlSchema } from "../protocol/index.ts";
import { BEARER_TOKEN } from "./http/auth.ts";

export const DEFAULT_PORT = 3000;
export const DEFAULT_DB = "data/orchestrator.sqlite";
export const DEFAULT_TARGET = "http://127.0.0.1:8080/ping";

const USAGE = `Usage: bun run orchestrator [flags]

Runs the load test orchestrator: a REST API over Kafka that creates tests, triggers the
drivers together and aggregates their metrics.

Flags (environment variable in brackets; a flag wins over its variable):
  --port <n>                 HTTP port, 0 picks a free one [PORT] (default ${DEFAULT_PORT})
  --host <addr>              address to bind [HOST] (default 0.0.0.0)
  --brokers <h:p,...>        Kafka brokers [KAFKA_BROKERS] (default 127.0.0.1:9092)
  --topic-prefix <text>      prefix of every topic name [KAFKA_TOPIC_PREFIX]
  --db <path>                SQLite file, its folder is created (default ${DEFAULT_DB})
  --target <url>             target URL of tests that name none (default ${DEFAULT_TARGET})
  --allow-target <h[:p],..>  hosts tests may aim at; * allows any (default: the --target host)
  --dead-after-ms <ms>       silence after which a driver is dead (default ${DEFAULT_ORCHESTRATOR_OPTIONS.deadAfterMs})
  --heartbeat-interval-ms <ms>  the drivers' heartbeat interval (default ${DEFAULT_ORCHESTRATOR_OPTIONS.heartbeatIntervalMs})
  --summary-quiet-ms <ms>    a driver that sends only the brief's four latency figures (no
                             counts, no final report) has finished once it sent no report this
                             long while it still heartbeats (default ${DEFAULT_ORCHESTRATOR_OPTIONS.summaryQuietMs})
  --bus-degraded-fail-ms <ms>   a running test fails once a Kafka topic has been missing or
                             unusable this long (default ${DEFAULT_ORCHESTRATOR_OPTIONS.busDegradedFailMs}; see GET /healthz)
  --clock-warn-ms <ms>       a driver whose clock is off by more than this is flagged on /nodes,
                             and a test started on it says so (default ${DEFAULT_ORCHESTRATOR_OPTIONS.clockWarnMs})
  --signing-key <file>       Ed25519 private key (PEM) every test_config, trigger and stop is
                             signed with, for drivers started with --trust-key [ORCHESTRATOR_SIGNING_KEY];
                             make one with 'bun run loadtest keygen --out DIR'
  --report-key <file>        the fleet's report key: reports without its HMAC are dropped and
                             counted [ORCHESTRATOR_REPORT_KEY]
  --forget-dead-after <time> forget a dead or departed driver this long after it went: 90s,
                             30m, 24h, 7d, or milliseconds (default 24h); DELETE /nodes/:id
                             forgets one at once
  --retain-raw-s <n|all>     raw metrics reports kept this many seconds once a snapshot of their
                             test covers them (default ${DEFAULT_RETAIN_RAW_MS / 1000}); 0 keeps none, 'all' keeps
                             every one (the figures, series and restarts use the snapshots)
  --snapshot-every-s <n>     a running test's state is snapshotted this often: a restart replays
                             at most this much raw (default ${DEFAULT_SNAPSHOT_EVERY_MS / 1000})
  -h, --help                 print this help
  --version                  print the version

Environment: ORCHESTRATOR_TOKEN makes POST/PUT/DELETE require "Authorization: Bearer <token>";
KAFKA_SSL, KAFKA_SSL_CA, KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD; LOG_LEVEL.

API: GET /nodes?limit=&offset=, DELETE /nodes/:id, POST /tests, POST /tests/:id/trigger, GET /tests/:id, GET /tests?limit=&offset=

Example:
  bun run orchestrator --port 3000 --allow-target 127.0.0.1,target.internal:8080
  curl -X POST localhost:3000/tests -d '{"test_type":"AVALANCHE","message_count_per_driver":1000,"trigger":true}'`;

/** The orchestrator's command line. */
export const ORCHESTRATOR_COMMAND = {
  name: "orchestrator",
  usage: USAGE,
  flags: {
    port: { type: "string" },
    host: { type: "string" },
    brokers: { type: "string" },
    "topic-prefix": { type: "string" },
    db: { type: "string" },
    target: { type: "string" },
    "allow-target": { type: "string" },
    "dead-after-ms": { type: "string" },
    "heartbeat-interval-ms": { type: "string" },
    "bus-degraded-fail-ms": { type: "string" },
    "clock-warn-ms": { type: "string" },
    "summary-quiet-ms": { type: "string" },
    "signing-key": { type: "string" },
    "report-key": { type: "string" },
    "forget-dead-after": { type: "string" },
    "retain-raw-s": { type: "string" },
    "snapshot-every-s": { type: "string" },
    help: { type: "boolean", short: "h" },
    version: { type: "boolean" },
  },
} as const satisfies CommandSpec<Record<string, { type: "string" | "boolean"; short?: string }>>;

export type OrchestratorFlags = Partial<Record<keyof typeof ORCHESTRATOR_COMMAND.flags, string | boolean>>;

/** Everything `main.ts` needs to start, after validation. */
export interface OrchestratorConfig {
  port: number;
  host: string;
  db: string;
  target: string;
  allowTargets: string[];
  deadAfterMs: number;
  heartbeatIntervalMs: number;
  busDegradedFailMs: number;
  forgetDeadAfterMs: number;
  /** A driver's clock further off than this is flagged. */
  clockWarnMs: number;
  /** See OrchestratorOptions.summaryQuietMs. */
  summaryQuietMs: number;
  token: string | undefined;
  kafka: KafkaConnection;
  /** Ed25519 private key file commands are signed with; unset, they go unsigned (with a warning). */
  signingKeyPath?: string;
  /** Fleet report key file; unset, reports are not authenticated. */
  reportKeyPath?: string;
  /** Compact store: raw reports kept this long once a snapshot covers them (Infinity: all). */
  retainRawMs: number;
  /** Compact store: how often a running test is snapshotted. */
  snapshotEveryMs: number;
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Shortest and longest retention `--forget-dead-after` accepts. */
const FORGET_MIN_MS = 1_000;
const FORGET_MAX_MS = 365 * 86_400_000;

/** A duration flag: `90s`, `30m`, `24h`, `7d`, `1500ms`, or a bare number of milliseconds. */
export function durationFlag(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim());
  const ms = match ? Math.round(Number(match[1]) * DURATION_UNITS_MS[match[2] ?? "ms"]!) : NaN;
  if (!(ms >= min && ms <= max)) {
    throw new Error(`--${name} must be a duration from ${min / 1000}s to ${max / 86_400_000}d such as 90s, 30m, 24h or 7d, got "${raw}"`);
  }
  return ms;
}

/** Longest `--retain-raw-s` as a number (a year); `all` keeps every raw report. */
const RETAIN_RAW_MAX_S = 365 * 86_400;

/** `--retain-raw-s`: whole seconds from 0 to a year, or `all` (Infinity ms). */
export function retainRawFlag(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return DEFAULT_RETAIN_RAW_MS;
  const text = raw.trim().toLowerCase();
  if (text === "all") return Infinity;
  const seconds = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(seconds >= 0 && seconds <= RETAIN_RAW_MAX_S)) throw new Error(`--retain-raw-s must be whole seconds from 0 to ${RETAIN_RAW_MAX_S}, or all, got "${raw}"`);
  return seconds * 1000;
}

/** One `--allow-target` entry: `*`, a host or `[ipv6]`, with an optional `:port` (the drivers take the same syntax). */
export const ALLOW_ENTRY = /^(\*|[a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/i;

/** Validates flags and environment together, reporting every bad one by name. */
export function resolveConfig(flags: OrchestratorFlags, env: Record<string, string | undefined>): { ok: true; config: OrchestratorConfig } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const str = (name: keyof OrchestratorFlags) => (typeof flags[name] === "string" ? (flags[name] as string) : undefined);
  const attempt = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (err) {
      errors.push((err as Error).message);
      return fallback;
    }
  };

  const port = attempt(() => intFlag("port", str("port") ?? env.PORT, DEFAULT_PORT, 0, 65_535), DEFAULT_PORT);
  const deadAfterMs = attempt(() => intFlag("dead-after-ms", str("dead-after-ms"), DEFAULT_ORCHESTRATOR_OPTIONS.deadAfterMs, 100, 3_600_000), 0);
  const heartbeatIntervalMs = attempt(
    () => intFlag("heartbeat-interval-ms", str("heartbeat-interval-ms"), DEFAULT_ORCHESTRATOR_OPTIONS.heartbeatIntervalMs, 10, 600_000),
    0,
  );
  const busDegradedFailMs = attempt(
    () => intFlag("bus-degraded-fail-ms", str("bus-degraded-fail-ms"), DEFAULT_ORCHESTRATOR_OPTIONS.busDegradedFailMs, 1_000, 3_600_000),
    0,
  );
  const summaryQuietMs = attempt(
    () => intFlag("summary-quiet-ms", str("summary-quiet-ms"), DEFAULT_ORCHESTRATOR_OPTIONS.summaryQuietMs, 100, 3_600_000),
    0,
  );
  const forgetDeadAfterMs = attempt(
    () => durationFlag("forget-dead-after", str("forget-dead-after"), DEFAULT_ORCHESTRATOR_OPTIONS.forgetDeadAfterMs, FORGET_MIN_MS, FORGET_MAX_MS),
    0,
  );
  const retainRawMs = attempt(() => retainRawFlag(str("retain-raw-s")), DEFAULT_RETAIN_RAW_MS);
  const snapshotEveryMs = attempt(() => intFlag("snapshot-every-s", str("snapshot-every-s"), DEFAULT_SNAPSHOT_EVERY_MS / 1000, 1, 86_400), 0) * 1000;
  const clockWarnMs = attempt(() => intFlag("clock-warn-ms", str("clock-warn-ms"), DEFAULT_ORCHESTRATOR_OPTIONS.clockWarnMs, 1, 3_600_000), 0);
  const target = str("target") ?? DEFAULT_TARGET;
  const targetCheck = TargetUrlSchema.safeParse(target);
  if (!targetCheck.success) errors.push(`--target "${target}": ${targetCheck.error.issues.map((i) => i.message).join("; ")}`);
  const allowTargets = (str("allow-target") ?? (targetCheck.success ? new URL(target).hostname : ""))
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  for (const entry of allowTargets) if (!ALLOW_ENTRY.test(entry)) errors.push(`--allow-target: "${entry}" is not host[:port] or *`);
  if (str("allow-target") !== undefined && allowTargets.length === 0) errors.push("--allow-target: give at least one host[:port]");
  const db = str("db") ?? DEFAULT_DB;
  if (db.trim() === "") errors.push("--db must not be empty");
  const host = str("host") ?? env.HOST ?? "0.0.0.0";
  const kafka = attempt(() => kafkaConnectionFromEnv("orchestrator", { brokers: str("brokers"), topicPrefix: str("topic-prefix") }, env), undefined);
  const token = env.ORCHESTRATOR_TOKEN === "" ? undefined : env.ORCHESTRATOR_TOKEN;
  if (token !== undefined && !BEARER_TOKEN.test(token)) errors.push("ORCHESTRATOR_TOKEN must be a bearer token: letters, digits and - . _ ~ + /, optionally ending in =");

  const signingKeyPath = str("signing-key") ?? (env.ORCHESTRATOR_SIGNING_KEY || undefined);
  const reportKeyPath = str("report-key") ?? (env.ORCHESTRATOR_REPORT_KEY || undefined);
  if (errors.length > 0 || !kafka) return { ok: false, errors };
  const keys = { ...(signingKeyPath ? { signingKeyPath } : {}), ...(reportKeyPath ? { reportKeyPath } : {}) };
  return { ok: true, config: { port, host, db, target, allowTargets, deadAfterMs, heartbeatIntervalMs, busDegradedFailMs, forgetDeadAfterMs, clockWarnMs, summaryQuietMs, token, kafka, retainRawMs, snapshotEveryMs, ...keys } };
}
