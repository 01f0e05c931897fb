import type { Logger } from "../log.ts";
import { createCommandSigner, type CommandSigner } from "./command-signer.ts";
import { loadSigningKey } from "./keys.ts";
import { loadReportKey } from "./report-mac.ts";
import { SecurityCounters } from "./security-counters.ts";

/** The orchestrator's trust material, loaded from the files its flags name. */
export interface OrchestratorTrust {
  counters: SecurityCounters;
  signer?: CommandSigner;
  reportKey?: Uint8Array;
}

/**
 * Loads the signing key and report key (either may be absent) and says at start what the
 * fleet is trusting: without a signing key, a clear warning that drivers cannot tell this
 * orchestrator's commands from anyone else's. Throws naming the file that cannot be used.
 */
export async function loadOrchestratorTrust(paths: { signingKeyPath?: string; reportKeyPath?: string }, log: Logger): Promise<OrchestratorTrust> {
  const counters = new SecurityCounters();
  const signer = paths.signingKeyPath ? createCommandSigner(await loadSigningKey(paths.signingKeyPath)) : undefined;
  const reportKey = paths.reportKeyPath ? loadReportKey(paths.reportKeyPath) : undefined;
  if (signer) log.info("signing every command to the drivers", { key_id: signer.keyId });
  else {
    log.warn(
      "UNSIGNED COMMANDS: no --signing-key (ORCHESTRATOR_SIGNING_KEY), so drivers cannot verify that test_config/trigger/stop come from this orchestrator; anyone who can write to those Kafka topics can drive the fleet. Make keys with 'bun run loadtest keygen --out DIR'",
    );
  }
  if (reportKey) log.info("reports must carry the fleet report key's HMAC");
  return { counters, ...(signer ? { signer } : {}), ...(reportKey ? { reportKey } : {}) };
}
