/**
 * Which cores the pinned bench gives the target and the tool (pure). Default: the tool on the
 * lower half of the machine's cores, the target on the upper half (on 2 cores: tool on core 0,
 * target on core 1); `--tool-cpus` / `--target-cpus` (or BENCH_TOOL_CPUS / BENCH_TARGET_CPUS)
 * choose others, `--no-pin` turns pinning off.
 */

/** Disjoint core sets for the tool and the target. */
export interface CoreSplit {
  tool: number[];
  target: number[];
}

/** Parses a `taskset -c` style list (`0`, `0-3,8`); a string error naming the problem when bad. */
export function parseCpuList(text: string, cores: number): number[] | string {
  const ids = new Set<number>();
  for (const part of text.split(",").map((p) => p.trim())) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (match === null) return `expected core numbers like 0 or 0-3,8, got "${text}"`;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) return `range ${part} runs backwards`;
    if (to >= cores) return `core ${to} does not exist (this machine has cores 0-${cores - 1})`;
    for (let id = from; id <= to; id++) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

/** A core list in `taskset -c` form (`0-3,8`). */
export function cpuListText(ids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    parts.push(j === i ? `${ids[i]}` : `${ids[i]}-${ids[j]}`);
    i = j;
  }
  return parts.join(",");
}

/** What the caller asked for: explicit lists (either may be absent) or no pinning. */
export interface CoreSplitRequest {
  tool?: string;
  target?: string;
  off?: boolean;
}

/**
 * The split for a machine with `cores` cores: `{ split }`, or `{ none }` saying why the bench runs
 * unpinned (asked, a single core), or `{ error }` for a bad or overlapping request.
 */
export function chooseCoreSplit(cores: number, request: CoreSplitRequest): { split: CoreSplit } | { none: string } | { error: string } {
  if (request.off) return { none: "pinning turned off (--no-pin)" };
  if (cores < 2) return { none: `this machine has ${cores} core: the target and the tool cannot have cores of their own` };
  const half = Math.floor(cores / 2);
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  const tool = request.tool === undefined ? null : parseCpuList(request.tool, cores);
  const target = request.target === undefined ? null : parseCpuList(request.target, cores);
  if (typeof tool === "string") return { error: `--tool-cpus: ${tool}` };
  if (typeof target === "string") return { error: `--target-cpus: ${target}` };
  const all = range(0, cores);
  const toolIds = tool ?? (target === null ? range(0, half) : all.filter((c) => !target.includes(c)));
  const targetIds = target ?? all.filter((c) => !toolIds.includes(c));
  const shared = toolIds.filter((c) => targetIds.includes(c));
  if (shared.length > 0) return { error: `--tool-cpus and --target-cpus share core(s) ${cpuListText(shared)}: they must be disjoint` };
  if (toolIds.length === 0 || targetIds.length === 0) return { error: "--tool-cpus / --target-cpus: each side needs at least one core" };
  return { split: { tool: toolIds, target: targetIds } };
}
