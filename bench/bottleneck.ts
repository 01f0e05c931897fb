/** Which side limited a pinned run, from the CPU of the target, the tool and their cores (pure). */

/** Fractions (0..1) over the measured window. */
export interface WindowLoad {
  /** The target process's CPU ÷ (window × its cores). */
  target: number;
  /** How busy the target's cores were, anything running on them included (interrupts, other processes). */
  targetCores: number;
  /** The tool process's CPU ÷ (window × its cores). */
  tool: number;
  /** How busy the tool's cores were, anything running on them included. */
  toolCores: number;
}

/** What limited the run. */
export type Bottleneck = "target" | "tool" | "neither" | "contended";

/** A core counts as saturated at this busy fraction. */
export const SATURATED = 0.9;

/** Core time beyond the pinned process's own above which the table warns of other work on that core. */
export const OTHER_WORK = 0.15;

/**
 * `target` when the target's cores were saturated (the figure is what the target could do under
 * this tool's pattern), else `tool` when the tool's cores were, else `neither` (both had idle
 * time: the pair was latency-bound). `contended` when the saturated cores went mostly (more than
 * half) to something other than the process pinned there: the figure measures the machine's other
 * work, not the tool.
 */
export function judgeBottleneck(load: WindowLoad): Bottleneck {
  if (load.targetCores >= SATURATED) return load.target < load.targetCores / 2 ? "contended" : "target";
  if (load.toolCores >= SATURATED) return load.tool < load.toolCores / 2 ? "contended" : "tool";
  return "neither";
}

const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : "?");

/**
 * One line for a table cell: the verdict with the cores' busy share, and a warning when a core
 * spent more than {@link OTHER_WORK} on something other than its pinned process (interrupts,
 * other processes), e.g. `target core (98% busy)` or `neither (target core 71%, tool core 64%)`.
 */
export function bottleneckText(load: WindowLoad): string {
  const verdict = judgeBottleneck(load);
  const others: string[] = [];
  if (load.targetCores - load.target > OTHER_WORK) others.push(`${pct(load.targetCores - load.target)} of the target core not the target's`);
  if (load.toolCores - load.tool > OTHER_WORK) others.push(`${pct(load.toolCores - load.tool)} of the tool core not the tool's`);
  const head =
    verdict === "contended"
      ? `contended (target core ${pct(load.targetCores)} busy, the target ${pct(load.target)}; tool core ${pct(load.toolCores)}, the tool ${pct(load.tool)})`
      : verdict === "target"
      ? `target core (${pct(load.targetCores)} busy)`
      : verdict === "tool"
        ? `tool core (${pct(load.toolCores)} busy)`
        : `neither (target core ${pct(load.targetCores)}, tool core ${pct(load.toolCores)})`;
  return others.length === 0 || verdict === "contended" ? head : `${head}; ${others.join(", ")}`;
}
