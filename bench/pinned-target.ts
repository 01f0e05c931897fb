import type { Subprocess } from "bun";
import type { CoreSplit } from "./core-split.ts";
import { cpuListText } from "./core-split.ts";
import type { LoadSpec } from "./load-result.ts";
import { readListeningUrl, targetHandle, type TargetProcess } from "./target-process.ts";

/** The static Go target, pinned to its cores, with the split the tools run on. */
export interface PinnedTarget extends TargetProcess {
  split: CoreSplit;
  /** How it was started, for the report. */
  description: string;
}

/** The command that runs `cmd` on `cores` only (`taskset -c 0-3 cmd...`). */
export function onCores(cores: readonly number[], cmd: readonly string[]): string[] {
  return ["taskset", "-c", cpuListText(cores), ...cmd];
}

/** A tool's command as the spec wants it run: on its cores when pinned, and its spawn reported. */
export function toolCommand(spec: Pick<LoadSpec, "cores">, cmd: readonly string[]): string[] {
  return spec.cores === undefined ? [...cmd] : onCores(spec.cores, cmd);
}

/** Child options that report the tool's pid to the spec's `onSpawn`. */
export function spawnHook(spec: Pick<LoadSpec, "onSpawn">): { onSpawn?: (proc: { pid: number }) => void } {
  const hook = spec.onSpawn;
  return hook === undefined ? {} : { onSpawn: (proc) => hook(proc.pid) };
}

/** Starts the built Go target (bench/go-tools.ts) on the split's target cores with GOMAXPROCS = their number. */
export async function startPinnedTarget(binary: string, split: CoreSplit): Promise<PinnedTarget> {
  const gomaxprocs = String(split.target.length);
  const proc: Subprocess<"ignore", "pipe", "inherit"> = Bun.spawn(onCores(split.target, [binary, "--host", "127.0.0.1", "--port", "0"]), {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
    env: { ...process.env, GOMAXPROCS: gomaxprocs },
  });
  const url = await readListeningUrl(proc);
  return {
    ...targetHandle(proc, url),
    split,
    description: `static Go net/http target (bench/peers/go-target, GOMAXPROCS=${gomaxprocs}) on core(s) ${cpuListText(split.target)}; tools on core(s) ${cpuListText(split.tool)}`,
  };
}
