import { parseArgs, type ParseArgsConfig } from "node:util";
import pkg from "../package.json" with { type: "json" };

/** The product's version, from package.json (embedded in compiled executables). */
export const VERSION: string = pkg.version;

export type FlagSpec = NonNullable<ParseArgsConfig["options"]>;

export interface CommandSpec<F extends FlagSpec> {
  /** Executable name, e.g. "driver". */
  name: string;
  /** The whole `--help` text (usage, flags, environment, examples). */
  usage: string;
  flags: F;
  allowPositionals?: boolean;
}

/** What a command line asked for: run with these values, or print and exit with a code. */
export type FlagsResult<F extends FlagSpec> =
  | { kind: "run"; values: ReturnType<typeof parseArgs<{ options: F; allowPositionals: true }>>["values"]; positionals: string[] }
  | { kind: "exit"; code: number; output: string; stream: "stdout" | "stderr" };

/**
 * Parses argv strictly: unknown flags and missing values are errors that name the flag.
 * `--help` and `--version` are answered for every command.
 */
export function parseFlags<F extends FlagSpec>(spec: CommandSpec<F>, argv: string[]): FlagsResult<F> {
  if (argv.includes("--help") || argv.includes("-h")) return { kind: "exit", code: 0, output: spec.usage, stream: "stdout" };
  if (argv.includes("--version")) return { kind: "exit", code: 0, output: `${spec.name} ${VERSION}`, stream: "stdout" };
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: spec.flags,
      allowPositionals: true,
      strict: true,
    });
    if (!spec.allowPositionals && positionals.length > 0) {
      throw new Error(`unexpected argument "${positionals[0]}"`);
    }
    return { kind: "run", values: values as never, positionals };
  } catch (err) {
    const message = (err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, "");
    return { kind: "exit", code: 2, output: `${spec.name}: ${message}\nRun '${spec.name} --help' for usage.`, stream: "stderr" };
  }
}

/** Parses argv, printing help, version or errors and exiting when that is the answer. */
export function flagsOrExit<F extends FlagSpec>(spec: CommandSpec<F>, argv = process.argv.slice(2)) {
  const result = parseFlags(spec, argv);
  if (result.kind === "exit") {
    (result.stream === "stdout" ? process.stdout : process.stderr).write(result.output + "\n");
    process.exit(result.code);
  }
  return result;
}

/** Parses an integer flag, exiting with a message naming the flag when it is not one in range. */
export function intFlag(name: string, raw: string | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}
