import { parseArgs } from "node:util";
import type { CoreSplitRequest } from "./core-split.ts";
import { SECTION_IDS, type SectionId } from "./section.ts";

/** Tools of the pinned tables, by the names `--peers` takes. */
export const PINNED_PEER_IDS = ["ours", "wrk", "bombardier", "vegeta", "autocannon", "fetch", "wrk-our-headers"] as const;
export type PinnedPeerId = (typeof PINNED_PEER_IDS)[number];

/** Usage of `bun run bench`. */
export const BENCH_USAGE = `Usage: bun run bench [flags]

Starts the target on 127.0.0.1 and measures our driver against autocannon, wrk and a bare
fetch loop, then rate and TSUNAMI accuracy, concurrency, memory, orchestrator cost, start
skew (also with deliberately skewed driver clocks), report size, a fleet of real driver processes over Kafka, a compressed
soak (hours-long tests) and scenarios (POST bodies vs autocannon, templating cost, https). Prints Markdown; a full run (no --quick, no --only) also writes
bench/RESULTS.md.

Flags:
  --quick              short durations and one repeat: a smoke run (about 2 minutes)
  --only <a,b,...>     run only these sections: ${SECTION_IDS.join(", ")}
  --repeats <n>        repeats of each throughput measurement (default 3, quick 1)
  --duration <s>       seconds of each throughput measurement (default 5, quick 2)
  --fleet <n,n,...>    driver processes of each fleet step (default 8,32,64; needs a broker)
  --out <file>         write the results there (default: bench/RESULTS.md on a full run only)
  --tool-cpus <list>   pinned tables: cores of the tool under test, taskset form (default: the lower
                       half of the cores; on 2 cores, core 0) [BENCH_TOOL_CPUS]
  --target-cpus <list> pinned tables: cores of the Go target (default: the other cores) [BENCH_TARGET_CPUS]
  --no-pin             skip the pinned tables (throughput, concurrency run on one box only)
  --pinned-only        throughput and concurrency: only the pinned tables, not the one-box ones
  --peers <a,b,...>    pinned tables: only these tools (${PINNED_PEER_IDS.join(", ")};
                       wrk-our-headers, wrk sending our request head, runs only when named)
  --baseline <dir>     pinned tables: also run the driver of another checkout (A/B of a driver change;
                       repeat the flag for several)
  --help               print this help

The throughput and concurrency sections first run pinned: a static Go net/http target
(bench/peers/go-target, built with \`go build\`) on the target cores and each tool on the tool cores
(taskset), req/s from the target's own count; then "everything on one box" with the Bun target.
Go builds the target and installs bombardier and vegeta into bench/.tools/bin; without Go those
lines are skipped with a note. wrk: \`apt-get install -y wrk\`; without it the wrk lines are skipped.`;

/** Validated bench options. */
export interface BenchOptions {
  quick: boolean;
  sections: SectionId[];
  repeats: number;
  duration_s: number;
  /** Driver counts of the fleet section. */
  fleetSizes: number[];
  out: string | null;
  /** Cores of the pinned tables (split chosen by main from the machine's core count). */
  pin: CoreSplitRequest;
  /** Only the pinned tables in throughput and concurrency. */
  pinnedOnly: boolean;
  /** Tools of the pinned tables (null: all). */
  peers: PinnedPeerId[] | null;
  /** Other checkouts whose drivers the pinned tables also run. */
  baselines: string[];
}

export type BenchCommand = { kind: "run"; options: BenchOptions } | { kind: "help" } | { kind: "invalid"; errors: string[] };

const positiveInt = (name: string, raw: string | undefined, fallback: number, errors: string[]): number => {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n > 0) return n;
  errors.push(`--${name}: expected a positive integer, got "${raw}"`);
  return fallback;
};

/** Parses the bench's flags; every bad flag is reported. `defaultOut` is where a full run writes; `env` may name the pinned cores. */
export function parseBenchCommand(argv: string[], defaultOut: string, env: Record<string, string | undefined> = {}): BenchCommand {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: "boolean" },
        only: { type: "string" },
        repeats: { type: "string" },
        duration: { type: "string" },
        out: { type: "string" },
        fleet: { type: "string" },
        "tool-cpus": { type: "string" },
        "target-cpus": { type: "string" },
        "no-pin": { type: "boolean" },
        "pinned-only": { type: "boolean" },
        peers: { type: "string" },
        baseline: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    return { kind: "invalid", errors: [(error as Error).message] };
  }
  if (values.help) return { kind: "help" };
  const errors: string[] = [];
  const quick = values.quick === true;
  const only = typeof values.only === "string" ? values.only.split(",").map((s) => s.trim()).filter(Boolean) : null;
  const unknown = (only ?? []).filter((s) => !(SECTION_IDS as readonly string[]).includes(s));
  if (unknown.length > 0) errors.push(`--only: unknown section ${unknown.map((s) => `"${s}"`).join(", ")} (known: ${SECTION_IDS.join(", ")})`);
  if (only !== null && only.length === 0) errors.push("--only: name at least one section");
  const repeats = positiveInt("repeats", values.repeats as string | undefined, quick ? 1 : 3, errors);
  const duration_s = positiveInt("duration", values.duration as string | undefined, quick ? 2 : 5, errors);
  const fleetSizes = (typeof values.fleet === "string" ? values.fleet : "8,32,64").split(",").map((n) => n.trim());
  const badSizes = fleetSizes.filter((n) => !/^[1-9]\d{0,3}$/.test(n));
  if (badSizes.length > 0 || fleetSizes.length === 0) errors.push(`--fleet: expected driver counts like 8,32,64, got "${String(values.fleet)}"`);
  if (values["no-pin"] === true && values["pinned-only"] === true) errors.push("--no-pin and --pinned-only exclude each other");
  const toolCpus = (values["tool-cpus"] as string | undefined) ?? env.BENCH_TOOL_CPUS;
  const targetCpus = (values["target-cpus"] as string | undefined) ?? env.BENCH_TARGET_CPUS;
  const pin: CoreSplitRequest = {
    ...(toolCpus !== undefined && toolCpus !== "" ? { tool: toolCpus } : {}),
    ...(targetCpus !== undefined && targetCpus !== "" ? { target: targetCpus } : {}),
    ...(values["no-pin"] === true ? { off: true } : {}),
  };
  const peers = typeof values.peers === "string" ? values.peers.split(",").map((p) => p.trim()).filter(Boolean) : null;
  const badPeers = (peers ?? []).filter((p) => !(PINNED_PEER_IDS as readonly string[]).includes(p));
  if (badPeers.length > 0 || peers?.length === 0) errors.push(`--peers: expected some of ${PINNED_PEER_IDS.join(", ")}, got "${String(values.peers)}"`);
  if (errors.length > 0) return { kind: "invalid", errors };
  const sections = only === null ? [...SECTION_IDS] : SECTION_IDS.filter((id) => only.includes(id));
  const full = !quick && only === null;
  const out = typeof values.out === "string" ? values.out : full ? defaultOut : null;
  return { kind: "run", options: { quick, sections, repeats, duration_s, fleetSizes: fleetSizes.map(Number), out, pin, pinnedOnly: values["pinned-only"] === true, peers: peers as PinnedPeerId[] | null, baselines: (values.baseline as string[] | undefined) ?? [] } };
}
