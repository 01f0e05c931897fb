// `bun run bench`: see BENCH_USAGE (bench/options.ts). Everything runs against a target on
// 127.0.0.1 that this process starts and always stops; every child is bounded in time.
import { loadavg } from "node:os";
import { join } from "node:path";
import { readEnvironment } from "./environment.ts";
import { autocannon } from "./peers/autocannon.ts";
import { wrk } from "./peers/wrk.ts";
import { BENCH_USAGE, parseBenchCommand } from "./options.ts";
import { renderResults } from "./results.ts";
import type { Section, SectionReport } from "./section.ts";
import { concurrencySection } from "./sections/concurrency.ts";
import { fleetSection } from "./sections/fleet.ts";
import { memorySection } from "./sections/memory.ts";
import { orchestratorSection } from "./sections/orchestrator.ts";
import { profileSection } from "./sections/profile.ts";
import { rateSection } from "./sections/rate.ts";
import { sizeSection } from "./sections/size.ts";
import { soakSection } from "./sections/soak.ts";
import { skewSection } from "./sections/skew.ts";
import { clockSkewSection } from "./sections/clock-skew.ts";
import { throughputSection } from "./sections/throughput.ts";
import { tsunamiSection } from "./sections/tsunami.ts";
import { workersSection } from "./sections/workers.ts";
import { scenarioSection } from "./sections/scenario.ts";
import { startTarget } from "./target-process.ts";
import { fetchLoop } from "./peers/fetch-loop.ts";
import { cpus } from "node:os";
import { chooseCoreSplit } from "./core-split.ts";
import { buildGoTarget, ensureGoPeers } from "./go-tools.ts";
import { bombardier } from "./peers/bombardier.ts";
import { vegeta } from "./peers/vegeta.ts";
import { startPinnedTarget, type PinnedTarget } from "./pinned-target.ts";

const SECTIONS: readonly Section[] = [
  throughputSection,
  profileSection,
  concurrencySection,
  rateSection,
  tsunamiSection,
  memorySection,
  orchestratorSection,
  skewSection,
  clockSkewSection,
  sizeSection,
  workersSection,
  fleetSection,
  soakSection,
  scenarioSection,
];

const command = parseBenchCommand(process.argv.slice(2), join(import.meta.dir, "RESULTS.md"), process.env);
if (command.kind === "help") {
  console.log(BENCH_USAGE);
  process.exit(0);
}
if (command.kind === "invalid") {
  for (const error of command.errors) console.error(`bench: ${error}`);
  console.error("bench: see --help");
  process.exit(2);
}
const { options } = command;
const progress = (line: string) => process.stderr.write(`${line}\n`);

const wrkMissing = await wrk.available();
if (wrkMissing !== null) progress(`note: ${wrkMissing}; the wrk lines are skipped`);

// The pinned tables (throughput, concurrency): the Go target on its cores, each tool on the others.
let pinned: PinnedTarget | null = null;
let pinnedSkip = "";
if (options.sections.includes("throughput") || options.sections.includes("concurrency")) {
  const choice = chooseCoreSplit(cpus().length, options.pin);
  if ("error" in choice) {
    console.error(`bench: ${choice.error}`);
    process.exit(2);
  }
  if ("none" in choice) pinnedSkip = choice.none;
  else if (Bun.which("taskset") === null) pinnedSkip = "taskset is missing (util-linux)";
  else {
    const built = await buildGoTarget();
    if ("missing" in built) pinnedSkip = `the Go target could not be built: ${built.missing}`;
    else {
      for (const [, why] of await ensureGoPeers(progress)) progress(`note: ${why}; its lines are skipped`);
      pinned = await startPinnedTarget(built.path, choice.split);
      progress(`pinned: ${pinned.description} (pid ${pinned.pid})`);
    }
  }
  if (pinnedSkip !== "") progress(`note: pinned tables skipped: ${pinnedSkip}`);
}

const env = await readEnvironment([autocannon, wrk, bombardier, vegeta]);
const target = await startTarget();
progress(`target ${target.url} (pid ${target.pid}); sections: ${options.sections.join(", ")}`);

const reports: SectionReport[] = [];
try {
  // Warm the target's JIT so the first measured tool is not the one that pays for it.
  await fetchLoop.run({ url: target.pingUrl, connections: 64, duration_s: 1 });
  for (const section of SECTIONS.filter((s) => options.sections.includes(s.id))) {
    progress(`== ${section.title}`);
    const report = await section.run({
      target,
      quick: options.quick,
      repeats: options.repeats,
      duration_s: options.duration_s,
      fleetSizes: options.fleetSizes,
      pinned,
      pinnedSkip,
      pinnedOnly: options.pinnedOnly,
      peers: options.peers,
      baselines: options.baselines,
      progress,
    });
    reports.push(report);
    console.log(`\n## ${report.title}\n\n${report.markdown}\n`);
  }
} finally {
  await target.stop();
  await pinned?.stop();
}

const argv = process.argv.slice(2).join(" ");
const markdown = renderResults(env, reports, loadavg(), `bun run bench${argv ? ` ${argv}` : ""}`);
console.log(markdown.slice(markdown.indexOf("## Targets")).split("\n## ")[0]);
if (options.out !== null) {
  await Bun.write(options.out, markdown);
  progress(`wrote ${options.out}`);
}
