// CLI entry: `bun target/main.ts [flags]`; see `--help`.
import pkg from "../package.json" with { type: "json" };
import { HELP_TEXT, parseTargetCommand } from "./options.ts";
import { createTarget } from "./server.ts";

const command = parseTargetCommand(Bun.argv.slice(2), process.env);
if (command.kind === "help") {
  process.stdout.write(HELP_TEXT);
  process.exit(0);
}
if (command.kind === "version") {
  console.log(pkg.version);
  process.exit(0);
}
if (command.kind === "invalid") {
  for (const error of command.errors) console.error(`target: ${error}`);
  console.error("target: see --help");
  process.exit(2);
}

const { host, port } = command.options;
let target: ReturnType<typeof createTarget> | undefined;
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  try {
    await target?.stop();
  } finally {
    process.exit(0);
  }
};
// Registered before the "listening" line so a caller that signals right after reading it gets exit 0.
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

try {
  target = createTarget(command.options);
} catch (error) {
  console.error(`target: cannot listen on ${host}:${port}: ${(error as Error).message}`);
  process.exit(1);
}
// With --port 0 this prints the port the OS picked, so callers can parse it.
console.log(`target listening on ${target.url}`);
