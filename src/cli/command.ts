// What a `loadtest` subcommand is: its flags and help, and a run function returning an exit code.
import { parseFlags, type FlagSpec } from "../cli-flags.ts";
import type { Output } from "./follow.ts";
import type { OnInterrupt } from "./interrupt.ts";

/** What a command may touch: the environment, the output streams and (for tests) fetch. */
export interface CliContext {
  env: Record<string, string | undefined>;
  out: Output;
  fetch?: typeof fetch;
  /** Ctrl-C while following a test (main.ts: SIGINT); absent, Ctrl-C is not handled. */
  onInterrupt?: OnInterrupt;
}

export interface Command {
  name: string;
  /** One line for `loadtest --help`. */
  summary: string;
  usage: string;
  flags: FlagSpec;
  /** Runs with parsed flags; resolves to the exit code. */
  run(values: Record<string, unknown>, positionals: string[], ctx: CliContext): Promise<number>;
}

/** Parses a subcommand's argv and runs it; help and flag errors are answered here. */
export async function runCommand(command: Command, argv: string[], ctx: CliContext): Promise<number> {
  const parsed = parseFlags({ name: `loadtest ${command.name}`, usage: command.usage, flags: command.flags, allowPositionals: true }, argv);
  if (parsed.kind === "exit") {
    (parsed.stream === "stdout" ? ctx.out.stdout : ctx.out.stderr)(parsed.output + "\n");
    return parsed.code;
  }
  return command.run(parsed.values as Record<string, unknown>, parsed.positionals, ctx);
}

/** Prints usage errors and returns exit code 2. */
export function usageError(ctx: CliContext, command: string, errors: readonly string[]): number {
  for (const error of errors) ctx.out.stderr(`loadtest ${command}: ${error}\n`);
  ctx.out.stderr(`Run 'loadtest ${command} --help' for usage.\n`);
  return 2;
}
