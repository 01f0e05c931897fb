/**
 * Go-built pieces of the pinned bench: the static target (bench/peers/go-target) and the Go
 * peers (bombardier, vegeta), built or `go install`ed into bench/.tools/bin (git-ignored) when Go
 * is present. Without Go each says why it is missing, and the bench skips it with that note.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/** Where the bench keeps the binaries it builds. */
export const TOOLS_BIN = join(import.meta.dir, ".tools", "bin");

/** Pinned versions of the Go peers. */
export const GO_PEERS = {
  bombardier: "github.com/codesenberg/bombardier@v1.2.6",
  vegeta: "github.com/tsenart/vegeta/v12@v12.13.0",
} as const;

/** The `go` binary: on PATH, else the official tarball's place. */
export function goBinary(): string | null {
  const onPath = Bun.which("go");
  if (onPath !== null) return onPath;
  return existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : null;
}

/** A binary the bench built, else the same name on PATH, else null. */
export function toolBinary(name: string): string | null {
  const local = join(TOOLS_BIN, name);
  return existsSync(local) ? local : Bun.which(name);
}

const BUILD_TIMEOUT_MS = 300_000;

async function runGo(args: string[], cwd: string): Promise<string | null> {
  const go = goBinary();
  if (go === null) return "Go is not installed (https://go.dev/dl, or `apt-get install -y golang`)";
  mkdirSync(TOOLS_BIN, { recursive: true });
  const proc = Bun.spawn([go, ...args], { cwd, env: { ...process.env, GOBIN: TOOLS_BIN, GOFLAGS: "-buildvcs=false" }, stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), BUILD_TIMEOUT_MS);
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return code === 0 ? null : `\`go ${args.join(" ")}\` failed (exit ${code}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`;
}

/** Builds the static Go target (always rebuilt: a few seconds, and never stale); resolves to its path or why not. */
export async function buildGoTarget(): Promise<{ path: string } | { missing: string }> {
  const out = join(TOOLS_BIN, "go-target");
  const failed = await runGo(["build", "-o", out, "."], join(import.meta.dir, "peers", "go-target"));
  return failed === null ? { path: out } : { missing: failed };
}

/** Installs bombardier and vegeta at their pinned versions when missing; the reason per tool that is still missing. */
export async function ensureGoPeers(progress: (line: string) => void): Promise<Map<string, string>> {
  const missing = new Map<string, string>();
  for (const [name, module] of Object.entries(GO_PEERS)) {
    if (toolBinary(name) !== null) continue;
    progress(`installing ${name}: go install ${module}`);
    const failed = await runGo(["install", module], import.meta.dir);
    if (failed !== null) missing.set(name, `${name} is not installed and could not be: ${failed}`);
  }
  return missing;
}
