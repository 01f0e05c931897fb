import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../../src/cli/main.ts";
import { importSigningKey, importTrustKey } from "../../../src/security/keys.ts";
import { loadReportKey } from "../../../src/security/report-mac.ts";

async function keygen(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["keygen", ...args], { env: {}, out: { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), tty: false } });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("loadtest keygen", () => {
  test("writes a signing pair the nodes load, with matching key ids, private files mode 600", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "lt-keygen-")), "keys");
    const run = await keygen("--out", dir);
    expect(run.code).toBe(0);
    const signing = await importSigningKey(readFileSync(join(dir, "signing.key"), "utf8"));
    const trust = await importTrustKey(readFileSync(join(dir, "signing.pub"), "utf8"));
    expect({ same: signing.keyId === trust.keyId, printed: run.stdout.includes(`key ${trust.keyId}`), reportBytes: loadReportKey(join(dir, "report.key")).byteLength }).toEqual({ same: true, printed: true, reportBytes: 32 });
    expect([statSync(join(dir, "signing.key")).mode & 0o777, statSync(join(dir, "report.key")).mode & 0o777]).toEqual([0o600, 0o600]);
  });

  test("never overwrites keys unless told: refuses, keeps them with --if-missing, replaces with --force", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lt-keygen-"));
    await keygen("--out", dir);
    const first = readFileSync(join(dir, "signing.pub"), "utf8");
    const refused = await keygen("--out", dir);
    expect({ code: refused.code, says: refused.stderr.includes("already exist") }).toEqual({ code: 2, says: true });
    expect((await keygen("--out", dir, "--if-missing")).code).toBe(0);
    expect(readFileSync(join(dir, "signing.pub"), "utf8")).toBe(first);
    expect((await keygen("--out", dir, "--force")).code).toBe(0);
    expect(readFileSync(join(dir, "signing.pub"), "utf8")).not.toBe(first);
    expect((await keygen()).stderr).toContain("--out DIR is required");
  });
});
