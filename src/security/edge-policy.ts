import { splitRequestUrl, type Issue, type TestConfig } from "../protocol/index.ts";
import { DEFAULT_AVALANCHE_CONCURRENCY, DEFAULT_TSUNAMI_CONCURRENCY } from "../driver/defaults.ts";
import { ALLOW_ENTRY } from "../orchestrator/cli.ts";
import { isTargetAllowed } from "../orchestrator/test-request.ts";

/**
 * What a driver agrees to do, whoever asks (`--allow-target`, `--max-rps`,
 * `--max-concurrency`); unset parts do not limit.
 */
export interface EdgePolicy {
  /** Hosts tests may aim at, in the orchestrator's `--allow-target` syntax. */
  allowTargets?: readonly string[];
  /** Ceiling on one test's request rate from this driver (requests/s). */
  maxRps?: number;
  /** Ceiling on one test's requests in flight from this driver. */
  maxConcurrency?: number;
}

/** Parses an `--allow-target` list (comma-separated host[:port] or *); throws naming the bad entry. */
export function parseAllowTargets(list: string): string[] {
  const entries = list.split(",").map((e) => e.trim()).filter((e) => e !== "");
  if (entries.length === 0) throw new Error("--allow-target: give at least one host[:port] or *");
  for (const entry of entries) if (!ALLOW_ENTRY.test(entry)) throw new Error(`--allow-target: "${entry}" is not host[:port] or *`);
  return entries;
}

/** Requests/s a configuration asks of one driver (a ramp: its peak); Infinity when nothing bounds it. */
export function requestedRate(config: TestConfig): number {
  return Math.min(stagesPeak(config) ?? pacedRate(config), config.target_throughput ?? Infinity);
}

/** TSUNAMI's rate, 1000 / delay; Infinity for AVALANCHE. */
function pacedRate(config: TestConfig): number {
  return config.test_type === "TSUNAMI" && config.test_message_delay > 0 ? 1000 / config.test_message_delay : Infinity;
}

/** The highest rate of a ramp (stages win over the mode's pacing), or undefined without stages. */
function stagesPeak(config: TestConfig): number | undefined {
  if (config.stages === undefined) return undefined;
  return Math.max(config.start_throughput ?? 0, ...config.stages.map((s) => s.target_throughput));
}

/** Requests in flight a configuration asks of one driver (the driver's defaults when it names none). */
export function requestedConcurrency(config: TestConfig): number {
  const cap = config.concurrency ?? (config.test_type === "TSUNAMI" ? DEFAULT_TSUNAMI_CONCURRENCY : DEFAULT_AVALANCHE_CONCURRENCY);
  return Math.min(cap, config.message_count_per_driver);
}

/** Every rule of `policy` that `config` breaks, each naming the rule (pure); empty when it may run. */
export function checkEdgePolicy(config: TestConfig, policy: EdgePolicy): Issue[] {
  const issues: Issue[] = [];
  const { allowTargets, maxRps, maxConcurrency } = policy;
  if (allowTargets !== undefined && config.target_url !== undefined && !isTargetAllowed(config.target_url, allowTargets)) {
    const host = URL.canParse(config.target_url) ? new URL(config.target_url).host : config.target_url;
    issues.push({ path: "target_url", message: `target ${host} is outside this driver's --allow-target (${allowTargets.join(", ")})` });
  }
  // Issue 11: every absolute request URL of a scenario too (a path goes to target_url's origin).
  if (allowTargets !== undefined) {
    (config.requests ?? []).forEach((request, i) => {
      const split = splitRequestUrl(request.url);
      if ("error" in split || split.origin === null || isTargetAllowed(split.origin, allowTargets)) return;
      issues.push({ path: `requests.${i}.url`, message: `target ${new URL(split.origin).host} is outside this driver's --allow-target (${allowTargets.join(", ")})` });
    });
  }
  const rate = requestedRate(config);
  if (maxRps !== undefined && rate > maxRps) {
    const asked = Number.isFinite(rate) ? `${Math.round(rate * 100) / 100} requests/s` : "an unlimited rate (no target_throughput)";
    const path = stagesPeak(config) !== undefined && config.target_throughput === undefined ? "stages" : "target_throughput";
    issues.push({ path, message: `the test asks ${asked} of each driver, above this driver's --max-rps ${maxRps}` });
  }
  const concurrency = requestedConcurrency(config);
  if (maxConcurrency !== undefined && concurrency > maxConcurrency) {
    issues.push({ path: "concurrency", message: `the test asks ${concurrency} requests in flight of each driver, above this driver's --max-concurrency ${maxConcurrency}` });
  }
  return issues;
}
