import { loadText, type BenchEnvironment } from "./environment.ts";
import { RESULTS_NOTES } from "./notes.ts";
import { verdictLine, type SectionReport } from "./section.ts";

/** Renders RESULTS.md (or the console report): environment, every verdict, then each section. */
export function renderResults(env: BenchEnvironment, reports: readonly SectionReport[], loadEnd: number[], command: string): string {
  const verdicts = reports.flatMap((r) => r.verdicts);
  const met = verdicts.filter((v) => v.met === true).length;
  const missed = verdicts.filter((v) => v.met === false).length;
  const info = verdicts.filter((v) => v.met === "info").length;
  return [
    "# Bench results",
    "",
    `Written by \`${command}\` (bench/main.ts) on ${env.date}, commit ${env.commit}.`,
    "",
    `- machine: ${env.cores} cores (${env.cpu_model}), ${env.memory_gib} GiB; outside the pinned tables the target, the tool under test and ` +
      "anything else running share these cores, so those figures are noisy",
    `- load average (1/5/15 min) at start: ${loadText(env.loadavg_start)}; at end: ${loadText(loadEnd)}`,
    `- bun ${env.bun}; ${env.tools.join("; ")}`,
    "",
    `## Targets: ${met} met, ${missed} missed, ${verdicts.length - met - missed - info} not measured`,
    "",
    ...verdicts.map(verdictLine),
    "",
    RESULTS_NOTES,
    ...reports.flatMap((r) => [`## ${r.title}`, "", r.markdown, "", ...r.verdicts.map(verdictLine), ""]),
  ].join("\n");
}
