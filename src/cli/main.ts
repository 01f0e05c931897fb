// Entry point of `loadtest` (bun run loadtest, or dist/loadtest): dispatches to a subcommand.
import { VERSION } from "../cli-flags.ts";
import { CliError } from "./client.ts";
import { runCommand as dispatch, type CliContext, type Command } from "./command.ts";
import { compareCommand } from "./commands/compare.ts";
import { keygenCommand } from "./commands/keygen.ts";
import { processInterrupts } from "./interrupt.ts";
import { listCommand } from "./commands/list.ts";
import { nodesCommand } from "./commands/nodes.ts";
import { reportCommand } from "./commands/report.ts";
import { runCommand } from "./commands/run.ts";
import { startCommand } from "./commands/start.ts";
import { stopCommand } from "./commands/stop.ts";
import { watchCommand } from "./commands/watch.ts";

/** Every subcommand, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [nodesCommand, startCommand, watchCommand, stopCommand, listCommand, reportCommand, compareCommand, runCommand, keygenCommand];

export const USAGE = `Usage: loadtest <command> [flags]

Drives the distributed load tester: start tests on the fleet, watch them live, get reports,
or run a test from this one process.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join("\n")}

Run 'loadtest <command> --help' for its flags.
Environment: LOADTEST_URL (orchestrator, default http://127.0.0.1:3000), ORCHESTRATOR_TOKEN.

Examples:
  loadtest nodes
  loadtest start --type avalanche --count 10000 --threshold 'p99<200'
  loadtest start --type avalanche --count 1000000 --abort-on 'errors>5%'   (Ctrl-C stops the test)
  loadtest stop <test-id>
  loadtest report <test-id> --format html --out report.html
  loadtest compare <base-id> <candidate-id> --max-regression p99=10% --junit compare.xml
  loadtest run http://127.0.0.1:8080/ping --drivers 2 --type tsunami --count 100 --delay 10
  loadtest run http://127.0.0.1:8080/items --type avalanche --duration 30s -X POST -d '{"n":1}' --check status=201
  loadtest start --scenario docs/examples/api-scenario.yaml   (requests, ramp, checks from a YAML or JSON file)`;

/** Runs `loadtest` with `argv` (no program name); resolves to the exit code. */
export async function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? ctx.out.stderr : ctx.out.stdout)(USAGE + "\n");
    return name === undefined ? 2 : 0;
  }
  if (name === "--version") {
    ctx.out.stdout(`loadtest ${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    ctx.out.stderr(`loadtest: unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(", ")}\nRun 'loadtest --help' for usage.\n`);
    return 2;
  }
  try {
    return await dispatch(command, [...rest], ctx);
  } catch (err) {
    if (err instanceof CliError) {
      ctx.out.stderr(`loadtest ${command.name}: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

if (import.meta.main) {
  const code = await main(Bun.argv.slice(2), {
    env: process.env,
    out: {
      stdout: (text) => void process.stdout.write(text),
      stderr: (text) => void process.stderr.write(text),
      tty: Boolean(process.stderr.isTTY),
    },
    onInterrupt: processInterrupts,
  });
  process.exit(code);
}
