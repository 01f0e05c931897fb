import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPair } from "../../security/keys.ts";
import { newReportKeyText } from "../../security/report-mac.ts";
import type { Command } from "../command.ts";
import { usageError } from "../command.ts";

/** File names keygen writes into its folder. */
export const KEY_FILES = { signing: "signing.key", trust: "signing.pub", report: "report.key" } as const;

/** `loadtest keygen --out DIR`: a signing key pair for the orchestrator and a fleet report key. */
export const keygenCommand: Command = {
  name: "keygen",
  summary: "make the keys of a trusted fleet (command signing, report HMAC)",
  usage: `Usage: loadtest keygen --out DIR [--force | --if-missing]

Writes into DIR (created if needed):
  ${KEY_FILES.signing}   Ed25519 private key (PKCS#8 PEM, mode 600): the orchestrator's --signing-key
  ${KEY_FILES.trust}   its public key (SPKI PEM): every driver's --trust-key
  ${KEY_FILES.report}    32 random bytes in hex (mode 600): --report-key of the orchestrator and drivers

Flags:
  --out <dir>   folder for the key files (required)
  --force       overwrite key files already there (a new signing key needs every driver's --trust-key changed)
  --if-missing  keep a complete set already there and succeed (compose runs keygen on every start)`,
  flags: { out: { type: "string" }, force: { type: "boolean" }, "if-missing": { type: "boolean" }, help: { type: "boolean", short: "h" } },
  async run(values, positionals, ctx) {
    if (positionals.length > 0) return usageError(ctx, "keygen", [`unexpected argument "${positionals[0]}"`]);
    const out = values.out as string | undefined;
    if (!out || out.trim() === "") return usageError(ctx, "keygen", ["--out DIR is required"]);
    const paths = { signing: join(out, KEY_FILES.signing), trust: join(out, KEY_FILES.trust), report: join(out, KEY_FILES.report) };
    const existing = Object.values(paths).filter((p) => existsSync(p));
    if (values.force && values["if-missing"]) return usageError(ctx, "keygen", ["--force and --if-missing contradict each other: give one"]);
    if (values["if-missing"] && existing.length === Object.keys(paths).length) {
      ctx.out.stdout(`keys already in ${out}: kept\n`);
      return 0;
    }
    if (existing.length > 0 && !values.force) {
      return usageError(ctx, "keygen", [`${existing.join(", ")} already exist: keep them, or pass --force to replace them`]);
    }
    mkdirSync(out, { recursive: true });
    const pair = await generateKeyPair();
    writeFileSync(paths.signing, pair.privatePem, { mode: 0o600 });
    chmodSync(paths.signing, 0o600);
    writeFileSync(paths.trust, pair.publicPem, { mode: 0o644 });
    writeFileSync(paths.report, newReportKeyText(), { mode: 0o600 });
    chmodSync(paths.report, 0o600);
    ctx.out.stdout(
      `key ${pair.keyId}: wrote ${paths.signing}, ${paths.trust}, ${paths.report}\n` +
        `  bun run orchestrator --signing-key ${paths.signing} --report-key ${paths.report}\n` +
        `  bun run driver --trust-key ${paths.trust} --report-key ${paths.report}\n`,
    );
    return 0;
  },
};
