import type { Logger } from "../log.ts";
import { createCommandVerifier, type CommandVerifier } from "./command-verifier.ts";
import { parseAllowTargets, type EdgePolicy } from "./edge-policy.ts";
import { loadTrustKeys } from "./keys.ts";
import { loadReportKey } from "./report-mac.ts";

/** The driver's trust settings as flags (a flag wins over its environment variable). */
export interface DriverTrustFlags {
  "trust-key"?: string[];
  "allow-target"?: string;
  "max-rps"?: string;
  "max-concurrency"?: string;
  "report-key"?: string;
}

/** What the driver's trust bus needs. */
export interface DriverTrust {
  verifier?: CommandVerifier;
  policy?: EdgePolicy;
  reportKey?: Uint8Array;
}

const positive = (name: string, raw: string | undefined, errors: string[]): number | undefined => {
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) errors.push(`${name} must be a positive number, got "${raw}"`);
  return n;
};

/**
 * Reads trust keys, edge policy and report key from flags and environment (DRIVER_TRUST_KEY
 * comma-separated, DRIVER_ALLOW_TARGET, DRIVER_MAX_RPS, DRIVER_MAX_CONCURRENCY,
 * DRIVER_REPORT_KEY). Throws one error listing every bad setting. Without a trust key it warns
 * clearly that this driver obeys anyone who can write to the command topics.
 */
export async function loadDriverTrust(flags: DriverTrustFlags, env: Record<string, string | undefined>, log: Logger): Promise<DriverTrust> {
  const errors: string[] = [];
  const trustPaths = flags["trust-key"]?.length ? flags["trust-key"] : (env.DRIVER_TRUST_KEY ?? "").split(",").map((p) => p.trim()).filter((p) => p !== "");
  const allowRaw = flags["allow-target"] ?? env.DRIVER_ALLOW_TARGET;
  let allowTargets: string[] | undefined;
  try {
    if (allowRaw !== undefined) allowTargets = parseAllowTargets(allowRaw);
  } catch (err) {
    errors.push((err as Error).message);
  }
  const maxRps = positive("--max-rps", flags["max-rps"] ?? env.DRIVER_MAX_RPS, errors);
  const maxConcurrency = positive("--max-concurrency", flags["max-concurrency"] ?? env.DRIVER_MAX_CONCURRENCY, errors);
  if (maxConcurrency !== undefined && !Number.isInteger(maxConcurrency)) errors.push(`--max-concurrency must be a whole number, got ${maxConcurrency}`);
  let verifier: CommandVerifier | undefined;
  let reportKey: Uint8Array | undefined;
  try {
    if (trustPaths.length > 0) verifier = createCommandVerifier(await loadTrustKeys(trustPaths));
  } catch (err) {
    errors.push((err as Error).message);
  }
  try {
    const reportPath = flags["report-key"] ?? (env.DRIVER_REPORT_KEY || undefined);
    if (reportPath) reportKey = loadReportKey(reportPath);
  } catch (err) {
    errors.push((err as Error).message);
  }
  if (errors.length > 0) throw new Error(errors.join("; "));

  const policy: EdgePolicy = { ...(allowTargets ? { allowTargets } : {}), ...(maxRps !== undefined ? { maxRps } : {}), ...(maxConcurrency !== undefined ? { maxConcurrency } : {}) };
  if (verifier) log.info("verifying every command's signature", { trusted_key_ids: verifier.keyIds });
  else {
    log.warn(
      "UNVERIFIED COMMANDS: no --trust-key (DRIVER_TRUST_KEY), so this driver obeys any test_config/trigger/stop written to Kafka, whoever wrote it. Start it with the orchestrator's public key (bun run loadtest keygen --out DIR)",
    );
  }
  if (Object.keys(policy).length > 0) log.info("edge policy", { allow_targets: allowTargets, max_rps: maxRps, max_concurrency: maxConcurrency });
  return { ...(verifier ? { verifier } : {}), ...(Object.keys(policy).length > 0 ? { policy } : {}), ...(reportKey ? { reportKey } : {}) };
}
