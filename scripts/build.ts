/**
 * `bun run build`: compiles each node into a single self-contained executable in dist/
 * (`bun build --compile`: the Bun runtime, our code, node_modules with the patched kafkajs,
 * package.json's version and every imported asset are inside it; the dashboard's browser code is
 * bundled first and embedded through `embedDashboard`).
 *
 * An entry point that does not exist yet is skipped with a warning; `--strict` makes that
 * an error. `--only=driver,target` builds a subset. Exits non-zero when a build failed.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { BunPlugin } from "bun";
import { bundleClient, PREBUILT_MODULE } from "../src/dashboard/bundle.ts";

const ROOT = join(import.meta.dir, "..");

/** Where `bun run build` writes the executables. */
export const DIST_DIR = join(ROOT, "dist");

/** Executable name -> entry point, relative to the repository root. */
export const ENTRY_POINTS = {
  orchestrator: "src/orchestrator/main.ts",
  driver: "src/driver/main.ts",
  target: "target/main.ts",
  loadtest: "src/cli/main.ts",
} as const;

export type ExecutableName = keyof typeof ENTRY_POINTS;

/**
 * Worker entry points bundled into an executable beside its main one: Bun's compiled
 * executables load a Worker's module only if it was an entry point of the build, at the
 * path relative to the main one (the driver's `--workers`, src/driver/worker-loop.ts).
 */
export const WORKER_ENTRY_POINTS: Partial<Record<ExecutableName, string[]>> = {
  driver: ["src/driver/send-worker.ts"],
};

/** Inputs whose change makes dist/ stale. */
const INPUTS = ["src", "target", "package.json", "bun.lock", "patches"];

/**
 * Swaps `src/dashboard/prebuilt.ts` for the bundled browser client, so the executable serves the
 * dashboard's script from inside itself (run from source, the orchestrator bundles it on first request).
 */
export function embedDashboard(clientJs: string): BunPlugin {
  return {
    name: "embed-dashboard",
    setup(builder) {
      builder.onLoad({ filter: /[\\/]src[\\/]dashboard[\\/]prebuilt\.ts$/ }, (args) =>
        args.path === PREBUILT_MODULE ? { contents: `export const PREBUILT_CLIENT = ${JSON.stringify(clientJs)};`, loader: "ts" } : undefined,
      );
    },
  };
}

/** Newest modification time (ms) of a file or of any file below a folder. */
function newestMtimeMs(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

/** Names of the executables that are missing from dist/ or older than a source file. */
export function staleExecutables(names: readonly ExecutableName[] = Object.keys(ENTRY_POINTS) as ExecutableName[]): ExecutableName[] {
  const sourcesMs = Math.max(...INPUTS.map((input) => newestMtimeMs(join(ROOT, input))));
  return names.filter((name) => {
    const binary = join(DIST_DIR, name);
    return !existsSync(binary) || statSync(binary).mtimeMs < sourcesMs;
  });
}

/** Compiles one entry point (plus its Worker modules) into a standalone executable with the dashboard embedded; returns the error text, if any. */
export async function compile(entry: string, outfile: string, workers: string[] = []): Promise<string | undefined> {
  try {
    const clientJs = await bundleClient({ minify: true });
    const output = await Bun.build({
      entrypoints: [entry, ...workers],
      // A compiled executable by default reads .env and bunfig.toml from its working directory
      // (Bun 1.4.5); a node must behave the same wherever it is started, so both are off.
      compile: { outfile, autoloadDotenv: false, autoloadBunfig: false },
      minify: { whitespace: true, syntax: true, identifiers: true, keepNames: true },
      sourcemap: "none",
      plugins: [embedDashboard(clientJs)],
      throw: false,
    });
    return output.success ? undefined : output.logs.map(String).join("\n");
  } catch (error) {
    return error instanceof AggregateError ? error.errors.map(String).join("\n") : String(error);
  }
}

export interface BuildResult {
  built: ExecutableName[];
  skipped: ExecutableName[];
  failed: ExecutableName[];
}

/** Builds the named executables one after another, in this process. */
export async function build(names: readonly ExecutableName[], log = (line: string) => console.error(line)): Promise<BuildResult> {
  const result: BuildResult = { built: [], skipped: [], failed: [] };
  mkdirSync(DIST_DIR, { recursive: true });
  for (const name of names) {
    const entry = ENTRY_POINTS[name];
    if (!existsSync(join(ROOT, entry))) {
      log(`build: WARNING skipping dist/${name}: its entry point ${entry} does not exist yet`);
      result.skipped.push(name);
      continue;
    }
    // Write beside the target and rename, so a running test never sees a half-written file.
    const partial = join(DIST_DIR, `.${name}.partial`);
    const started = performance.now();
    const error = await compile(join(ROOT, entry), partial, (WORKER_ENTRY_POINTS[name] ?? []).map((w) => join(ROOT, w)));
    if (error !== undefined) {
      rmSync(partial, { force: true });
      log(`build: FAILED dist/${name} from ${entry}\n${error}`);
      result.failed.push(name);
      continue;
    }
    renameSync(partial, join(DIST_DIR, name));
    const mib = (statSync(join(DIST_DIR, name)).size / 2 ** 20).toFixed(0);
    log(`build: dist/${name} from ${entry} (${mib} MiB, ${Math.round(performance.now() - started)} ms)`);
    result.built.push(name);
  }
  return result;
}

function parseArgs(argv: string[]): { strict: boolean; names: ExecutableName[] } {
  let strict = false;
  let names = Object.keys(ENTRY_POINTS) as ExecutableName[];
  for (const arg of argv) {
    if (arg === "--strict") strict = true;
    else if (arg.startsWith("--only=")) {
      const wanted = arg.slice("--only=".length).split(",").filter(Boolean);
      const unknown = wanted.filter((name) => !(name in ENTRY_POINTS));
      if (unknown.length > 0) throw new Error(`--only: unknown executable(s) ${unknown.join(", ")}; known: ${names.join(", ")}`);
      names = wanted as ExecutableName[];
    } else if (arg === "--help" || arg === "-h") {
      console.log("Usage: bun run build [--strict] [--only=orchestrator,driver,target,loadtest]");
      process.exit(0);
    } else throw new Error(`unknown argument "${arg}" (see --help)`);
  }
  return { strict, names };
}

if (import.meta.main) {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(Bun.argv.slice(2));
  } catch (error) {
    console.error(`build: ${(error as Error).message}`);
    process.exit(2);
  }
  const result = await build(args.names);
  const where = relative(process.cwd(), DIST_DIR) || ".";
  console.error(`build: ${result.built.length} built in ${where}/, ${result.skipped.length} skipped, ${result.failed.length} failed`);
  if (result.failed.length > 0 || (args.strict && result.skipped.length > 0)) process.exit(1);
}
