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

/** Longest wait on SIGTERM for the requests in flight (a delayed /ping may take a while). */
const SHUTDOWN_GRACE_MS = 5_000;

const { host, port } = command.options;
let target: ReturnType<typeof createTarget> | undefined;
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  try {
    if (target) {
      // Requests in flight get their answers (new ones are refused), within a bound.
      await Promise.race([target.server.stop(false), Bun.sleep(SHUTDOWN_GRACE_MS)]);
      await target.stop();
      const { requests_received, responses_sent } = target.metrics.toJson(performance.now());
      // Tests read this line: what was answered before the exit.
      console.log(`target stopped: ${requests_received} requests received, ${responses_sent} responses sent`);
    }
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
