// `loadtest` run in the test's own process (no spawn), its output captured.
import type { Output } from "../../src/cli/follow.ts";
import { main } from "../../src/cli/main.ts";

/** What a `loadtest` run printed and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `loadtest ...argv` in this process (empty environment, not a terminal) and captures what it prints. */
export async function loadtest(...argv: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const out: Output = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), tty: false };
  const code = await main(argv, { env: {}, out });
  return { code, stdout, stderr };
}
