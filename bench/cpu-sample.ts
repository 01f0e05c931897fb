/**
 * CPU time of processes and cores from /proc (Linux): the pinned bench reads the target's and the
 * tool's CPU over a window, and how busy their cores were (anything else running included).
 * The parsers are pure; the readers return null where /proc is missing.
 */
import { readFile } from "node:fs/promises";

/** user + system clock ticks of a process (every thread) from the text of `/proc/<pid>/stat`; NaN when unreadable. */
export function parseProcessTicks(stat: string): number {
  // Field 2 (comm) is in parentheses and may hold spaces or ')': count fields after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : NaN;
}

/** Busy and total clock ticks of one core since boot. */
export interface CoreTicks {
  busy: number;
  total: number;
}

/** Per-core ticks from the text of `/proc/stat` (`cpuN` lines; idle and iowait count as not busy). */
export function parseCoreTicks(stat: string): Map<number, CoreTicks> {
  const cores = new Map<number, CoreTicks>();
  for (const line of stat.split("\n")) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (match === null) continue;
    // user nice system idle iowait irq softirq steal (guest times are already in user).
    const f = match[2]!.trim().split(/\s+/).slice(0, 8).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    cores.set(Number(match[1]), { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total });
  }
  return cores;
}

/** Fraction (0..1) of the given cores' time that was busy between two readings; NaN when unknown. */
export function coresBusy(before: Map<number, CoreTicks>, after: Map<number, CoreTicks>, cores: readonly number[]): number {
  let busy = 0;
  let total = 0;
  for (const core of cores) {
    const a = before.get(core);
    const b = after.get(core);
    if (a === undefined || b === undefined) return NaN;
    busy += b.busy - a.busy;
    total += b.total - a.total;
  }
  return total > 0 ? busy / total : NaN;
}

/** Clock ticks per second of /proc figures (`getconf CLK_TCK`; 100 on Linux when it cannot be asked). */
export function clockTicksPerSecond(): number {
  try {
    const n = Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** user + system ticks of a live process, NaN when it is gone or /proc is missing. */
export async function readProcessTicks(pid: number): Promise<number> {
  try {
    return parseProcessTicks(await readFile(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return NaN;
  }
}

/** Per-core ticks now; an empty map without /proc. */
export async function readCoreTicks(): Promise<Map<number, CoreTicks>> {
  try {
    return parseCoreTicks(await readFile("/proc/stat", "utf8"));
  } catch {
    return new Map();
  }
}
