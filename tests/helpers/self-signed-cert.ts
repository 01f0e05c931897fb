import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A throwaway certificate and its key, in PEM. */
export interface SelfSignedCert {
  cert: string;
  key: string;
}

/**
 * Makes a self-signed RSA certificate for `commonName` (valid one day) with openssl, as a Bun
 * TLS server takes it (`tls: {cert, key}`). The certificate names `commonName` only: for
 * 127.0.0.1 a `localhost` certificate is both self-signed and of another name, which a client
 * refuses unless it skips verification. Throws with openssl's output when openssl fails.
 */
export function makeSelfSignedCert(commonName = "localhost"): SelfSignedCert {
  const dir = mkdtempSync(join(tmpdir(), "self-signed-"));
  try {
    const made = Bun.spawnSync(
      ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", `/CN=${commonName}`],
      { stderr: "pipe", stdout: "ignore" },
    );
    if (made.exitCode !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);
    return { cert: readFileSync(join(dir, "cert.pem"), "utf8"), key: readFileSync(join(dir, "key.pem"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
