// `--duration`, `--stage` and `--check` as the test fields duration_s, stages and checks.
import { parseDurationS } from "./duration.ts";

/** One `stages` entry of a test. */
export interface StageEntry {
  duration_s: number;
  target_throughput: number;
}

/** The `checks` of a test as the CLI builds them. */
export interface ChecksEntry {
  status?: number[];
  body_includes?: string;
  max_latency_ms?: number;
}

/** `--duration 30s` as seconds, or the error naming the flag. */
export function parseDurationFlag(raw: string): { value: number } | { error: string } {
  const s = parseDurationS(raw);
  if (typeof s === "string") return { error: `--duration: ${s}` };
  if (s <= 0) return { error: `--duration must be more than 0, got "${raw}"` };
  return { value: s };
}

/** `--stage 10s:200` (repeatable) as stages, in the order given; every bad one is named. */
export function parseStages(values: readonly string[]): { stages: StageEntry[]; errors: string[] } {
  const stages: StageEntry[] = [];
  const errors: string[] = [];
  for (const value of values) {
    const colon = value.lastIndexOf(":");
    const usage = `--stage "${value}": expected <duration>:<requests/s per driver>, e.g. --stage 30s:200`;
    if (colon < 0) {
      errors.push(usage);
      continue;
    }
    const duration = parseDurationS(value.slice(0, colon));
    const rateText = value.slice(colon + 1).trim();
    const rate = Number(rateText);
    if (typeof duration === "string") errors.push(`--stage "${value}": ${duration}`);
    else if (rateText === "" || !Number.isFinite(rate) || rate < 0) errors.push(`${usage} (the rate must be a number >= 0)`);
    else stages.push({ duration_s: duration, target_throughput: rate });
  }
  return { stages, errors };
}

/** Names --check understands, with what each takes. */
const CHECK_KEYS = "status=<code>[,<code>…], body_includes=<text> or max_latency_ms=<ms>";

/**
 * `--check status=200,201`, `--check body_includes=pong`, `--check max_latency_ms=500`
 * (repeatable) as one checks object; status lists given twice are joined.
 */
export function parseChecks(values: readonly string[]): { checks: ChecksEntry; errors: string[] } {
  const checks: ChecksEntry = {};
  const errors: string[] = [];
  for (const value of values) {
    const eq = value.indexOf("=");
    const key = eq < 0 ? value.trim() : value.slice(0, eq).trim();
    const arg = eq < 0 ? "" : value.slice(eq + 1);
    const bad = (why: string) => errors.push(`--check "${value}": ${why}`);
    if (eq < 0) bad(`expected ${CHECK_KEYS}`);
    else if (key === "status") {
      const codes = arg.split(",").map((c) => c.trim());
      const wrong = codes.filter((c) => !/^[1-5]\d\d$/.test(c));
      if (wrong.length > 0) bad(`"${wrong[0]}" is not an HTTP status (100 to 599)`);
      else checks.status = [...new Set([...(checks.status ?? []), ...codes.map(Number)])];
    } else if (key === "body_includes") {
      if (arg === "") bad("give the text the body must include");
      else if (checks.body_includes !== undefined) bad("body_includes is given twice");
      else checks.body_includes = arg;
    } else if (key === "max_latency_ms") {
      const ms = Number(arg);
      if (arg.trim() === "" || !Number.isFinite(ms) || ms <= 0) bad("max_latency_ms must be a number of milliseconds above 0");
      else if (checks.max_latency_ms !== undefined) bad("max_latency_ms is given twice");
      else checks.max_latency_ms = ms;
    } else bad(`unknown check "${key}"; expected ${CHECK_KEYS}`);
  }
  return { checks, errors };
}
