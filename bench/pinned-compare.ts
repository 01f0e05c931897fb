/**
 * The pinned comparison: each tool runs on the tool cores against the Go target on its own
 * cores, tools alternated each round. Over a steady window (from 1 s after the target's first
 * response to 1 s before the tool's end) the bench reads the target's own response count, the
 * CPU of the target and the tool from /proc, and how busy both core sets were.
 */
import { judgeBottleneck, type WindowLoad } from "./bottleneck.ts";
import { rotation } from "./compare.ts";
import { clockTicksPerSecond, coresBusy, readCoreTicks, readProcessTicks, type CoreTicks } from "./cpu-sample.ts";
import type { LoadResult, LoadSpec, Peer } from "./load-result.ts";
import type { PinnedTarget } from "./pinned-target.ts";
import { median } from "./summary.ts";

/** One run of one tool, measured over the window. */
export interface PinnedRun {
  /** What the tool itself reported over its whole run. */
  tool: LoadResult;
  /** Responses per second the target counted over the window. */
  target_rps: number;
  /** The tool process's CPU (every thread) per response the target counted, over the window, µs. */
  cpu_us_per_req: number;
  /** The target's CPU per response over the window, µs: what this tool's pattern costs the server. */
  target_us_per_req: number;
  load: WindowLoad;
  window_s: number;
}

/** Every run of one tool and their medians. */
export interface PinnedSeries {
  name: string;
  runs: PinnedRun[];
  target_rps: number;
  tool_rps: number;
  p50_ms: number;
  p99_ms: number;
  cpu_us_per_req: number;
  target_us_per_req: number;
  /** Medians of each load fraction. */
  load: WindowLoad;
  errors: number;
  non_2xx: number;
  skipped: string | null;
}

/** Medians of a tool's pinned runs (errors summed). */
export function summarizePinned(name: string, runs: PinnedRun[], skipped: string | null): PinnedSeries {
  const m = (pick: (r: PinnedRun) => number) => median(runs.map(pick));
  return {
    name,
    runs,
    target_rps: m((r) => r.target_rps),
    tool_rps: m((r) => r.tool.rps),
    p50_ms: m((r) => r.tool.p50_ms),
    p99_ms: m((r) => r.tool.p99_ms),
    cpu_us_per_req: m((r) => r.cpu_us_per_req),
    target_us_per_req: m((r) => r.target_us_per_req),
    load: { target: m((r) => r.load.target), targetCores: m((r) => r.load.targetCores), tool: m((r) => r.load.tool), toolCores: m((r) => r.load.toolCores) },
    errors: runs.reduce((sum, r) => sum + r.tool.errors, 0),
    non_2xx: runs.reduce((sum, r) => sum + r.tool.non_2xx, 0),
    skipped: runs.length > 0 ? null : skipped,
  };
}

/** Warm-up after the first response and tail before the tool's end, for a run of `duration_s`. */
export function measureWindow(duration_s: number): { warmupMs: number; windowMs: number } {
  const warmupMs = Math.min(1000, duration_s * 200);
  return { warmupMs, windowMs: Math.max(500, duration_s * 1000 - warmupMs - 1000) };
}

interface Sample {
  at: number;
  count: number;
  targetTicks: number;
  toolTicks: number;
  cores: Map<number, CoreTicks>;
}

const START_TIMEOUT_MS = 20_000;
const PAUSE_BETWEEN_RUNS_MS = 500;

async function sample(target: PinnedTarget, toolPid: number | null): Promise<Sample> {
  const [count, targetTicks, toolTicks, cores] = await Promise.all([
    target.pingResponses(),
    readProcessTicks(target.pid),
    toolPid === null ? Promise.resolve(NaN) : readProcessTicks(toolPid),
    readCoreTicks(),
  ]);
  return { at: performance.now(), count, targetTicks, toolTicks, cores };
}

/** One pinned run of `peer`; throws when the tool fails or ends before the window closes. */
export async function runPinned(peer: Peer, spec: LoadSpec, target: PinnedTarget, tick = clockTicksPerSecond()): Promise<PinnedRun> {
  let pid: number | null = null;
  let ended = false;
  const base = await target.pingResponses();
  const running = peer.run({ ...spec, cores: target.split.tool, onSpawn: (p) => (pid = p) });
  running.then(
    () => (ended = true),
    () => (ended = true),
  );
  const { warmupMs, windowMs } = measureWindow(spec.duration_s);
  const waitStart = performance.now();
  while (!ended && performance.now() - waitStart < START_TIMEOUT_MS && (await target.pingResponses()) === base) await Bun.sleep(20);
  await Bun.sleep(warmupMs);
  const a = await sample(target, pid);
  await Bun.sleep(windowMs);
  const b = await sample(target, pid);
  const closedInTime = !ended;
  const tool = await running;
  if (!closedInTime) throw new Error(`${peer.name} ended before the measuring window closed (started late or ran short)`);
  const window_s = (b.at - a.at) / 1000;
  const responses = b.count - a.count;
  const ticksToUs = 1e6 / tick;
  return {
    tool,
    target_rps: responses / window_s,
    cpu_us_per_req: ((b.toolTicks - a.toolTicks) * ticksToUs) / responses,
    target_us_per_req: ((b.targetTicks - a.targetTicks) * ticksToUs) / responses,
    load: {
      target: ((b.targetTicks - a.targetTicks) * ticksToUs) / 1e6 / window_s / target.split.target.length,
      targetCores: coresBusy(a.cores, b.cores, target.split.target),
      tool: ((b.toolTicks - a.toolTicks) * ticksToUs) / 1e6 / window_s / target.split.tool.length,
      toolCores: coresBusy(a.cores, b.cores, target.split.tool),
    },
    window_s,
  };
}

/** Runs every available peer `repeats` times pinned, rotating the order each round; one series per peer. */
export async function comparePinned(
  peers: readonly Peer[],
  spec: LoadSpec,
  repeats: number,
  target: PinnedTarget,
  progress: (line: string) => void,
): Promise<PinnedSeries[]> {
  const runs = new Map<string, PinnedRun[]>(peers.map((p) => [p.name, []]));
  const skipped = new Map<string, string | null>();
  for (const peer of peers) skipped.set(peer.name, await peer.available());
  const tick = clockTicksPerSecond();
  for (let round = 0; round < repeats; round++) {
    for (const peer of rotation(peers, round)) {
      if (skipped.get(peer.name) !== null) continue;
      try {
        const run = await runPinned(peer, spec, target, tick);
        runs.get(peer.name)!.push(run);
        progress(
          `  pinned ${peer.name} c=${spec.connections} round ${round + 1}/${repeats}: target ${Math.round(run.target_rps)} req/s ` +
            `(tool says ${Math.round(run.tool.rps)}), ${run.cpu_us_per_req.toFixed(1)} µs CPU/req (target ${run.target_us_per_req.toFixed(1)}), tool ${Math.round(run.load.tool * 100)}%, ` +
            `target core ${Math.round(run.load.targetCores * 100)}% busy → ${judgeBottleneck(run.load)}`,
        );
      } catch (error) {
        progress(`  pinned ${peer.name} failed: ${(error as Error).message}`);
        skipped.set(peer.name, `failed: ${(error as Error).message}`);
      }
      await Bun.sleep(PAUSE_BETWEEN_RUNS_MS);
    }
  }
  return peers.map((p) => summarizePinned(p.name, runs.get(p.name)!, skipped.get(p.name) ?? null));
}
