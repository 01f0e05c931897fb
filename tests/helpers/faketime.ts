/**
 * Runs a node with its clock shifted, through libfaketime (Debian's `faketime` package): the
 * library is preloaded into the node itself rather than run under the `faketime` command, which
 * forks and does not pass SIGTERM on, so a test's cleanup would leave the node running. The
 * library's path is the one the `faketime` command itself uses.
 */
let preload: string | undefined;

/** The environment that shifts a Bun process's clock by `offset` (faketime syntax: "-1.5s", "+1.5s"). */
export function faketimeEnv(offset: string): Record<string, string> {
  if (preload === undefined) {
    const probe = Bun.spawnSync(["faketime", "-f", "+0s", "sh", "-c", 'printf %s "$LD_PRELOAD"']);
    if (probe.exitCode !== 0) throw new Error(`faketime is not installed (apt-get install faketime): ${probe.stderr.toString()}`);
    preload = probe.stdout.toString();
  }
  return { LD_PRELOAD: preload, FAKETIME: offset };
}
