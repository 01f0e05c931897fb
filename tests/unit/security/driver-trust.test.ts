import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../../src/log.ts";
import { loadDriverTrust } from "../../../src/security/driver-trust.ts";
import { loadOrchestratorTrust } from "../../../src/security/orchestrator-trust.ts";
import { generateKeyPair } from "../../../src/security/keys.ts";

function recordingLog() {
  const lines: { level: string; msg: string }[] = [];
  return { log: createLogger({ write: (line) => lines.push(JSON.parse(line)) }), lines };
}

describe("trust settings of the nodes", () => {
  test("a driver reads its trust keys from the flag (repeatable) or DRIVER_TRUST_KEY (comma-separated)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lt-trust-"));
    const [a, b] = [await generateKeyPair(), await generateKeyPair()];
    writeFileSync(join(dir, "a.pub"), a.publicPem);
    writeFileSync(join(dir, "b.pub"), b.publicPem);
    const { log } = recordingLog();
    const fromFlags = await loadDriverTrust({ "trust-key": [join(dir, "a.pub"), join(dir, "b.pub")] }, {}, log);
    const fromEnv = await loadDriverTrust({}, { DRIVER_TRUST_KEY: `${join(dir, "a.pub")}, ${join(dir, "b.pub")}` }, log);
    expect([fromFlags.verifier?.keyIds, fromEnv.verifier?.keyIds]).toEqual([[a.keyId, b.keyId], [a.keyId, b.keyId]]);
  });

  test("every bad driver setting is named in one error", async () => {
    const { log } = recordingLog();
    const attempt = loadDriverTrust({ "trust-key": ["/nonexistent/key.pub"], "allow-target": "http://x", "max-rps": "fast", "max-concurrency": "1.5" }, {}, log);
    const message = await attempt.then(() => "", (err: Error) => err.message);
    expect({
      trust: message.includes("trust key /nonexistent/key.pub"),
      allow: message.includes('--allow-target: "http://x" is not host[:port] or *'),
      rps: message.includes('--max-rps must be a positive number, got "fast"'),
      concurrency: message.includes("--max-concurrency must be a whole number"),
    }).toEqual({ trust: true, allow: true, rps: true, concurrency: true });
  });

  test("a public key where a private one is expected is refused naming the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lt-trust-"));
    writeFileSync(join(dir, "wrong.key"), (await generateKeyPair()).publicPem);
    const { log } = recordingLog();
    expect(await loadOrchestratorTrust({ signingKeyPath: join(dir, "wrong.key") }, log).then(() => "", (err: Error) => err.message)).toBe(
      `signing key ${join(dir, "wrong.key")}: not a PEM "PRIVATE KEY" (expected -----BEGIN PRIVATE KEY-----)`,
    );
  });

  test("without keys both nodes warn clearly at start", async () => {
    const driver = recordingLog();
    const orchestrator = recordingLog();
    await loadDriverTrust({}, {}, driver.log);
    await loadOrchestratorTrust({}, orchestrator.log);
    expect(driver.lines.filter((l) => l.level === "warn").map((l) => l.msg.slice(0, 40))).toEqual(["UNVERIFIED COMMANDS: no --trust-key (DRI"]);
    expect(orchestrator.lines.filter((l) => l.level === "warn").map((l) => l.msg.slice(0, 42))).toEqual(["UNSIGNED COMMANDS: no --signing-key (ORCHE"]);
  });
});
