import type { Subprocess } from "bun";

/** How a bounded child ended: its stdout, stderr tail, exit code, and whether we killed it. */
export interface ChildResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  timedOut: boolean;
  /** User + system CPU of the child, microseconds (NaN when the runtime cannot tell). */
  cpu_us: number;
}

export interface RunChildOptions {
  /** Killed (SIGKILL) after this long: every bench step is bounded in time. */
  timeoutMs: number;
  env?: Record<string, string | undefined>;
  /** Called with the child's pid once it runs (RSS sampling). */
  onSpawn?: (proc: Subprocess) => void;
}

/** Runs a command to its end or its deadline and collects its output. */
export async function runChild(cmd: string[], { timeoutMs, env, onSpawn }: RunChildOptions): Promise<ChildResult> {
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", stdin: "ignore", env: { ...process.env, ...env } });
  onSpawn?.(proc);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill("SIGKILL");
  }, timeoutMs);
  try {
    const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    const exitCode = await proc.exited;
    const total = proc.resourceUsage()?.cpuTime.total;
    return { stdout, stderr: stderr.slice(-4000), exitCode, timedOut, cpu_us: total === undefined ? NaN : Number(total) };
  } finally {
    clearTimeout(timer);
  }
}

/** The last line of stdout that parses as a JSON object: the result line of a bench child. */
export function lastJsonLine<T>(stdout: string): T | undefined {
  const lines = stdout.trim().split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line.startsWith("{")) continue;
    try {
      return JSON.parse(line) as T;
    } catch {
      // Not ours: keep looking further up.
    }
  }
  return undefined;
}

/** The child's JSON result, or an Error naming the command and what went wrong. */
export async function runJsonChild<T>(name: string, cmd: string[], options: RunChildOptions): Promise<T> {
  return (await runJsonChildWithCpu<T>(name, cmd, options)).value;
}

/** The child's JSON result and the CPU time the whole child used (startup included). */
export async function runJsonChildWithCpu<T>(name: string, cmd: string[], options: RunChildOptions): Promise<{ value: T; cpu_us: number }> {
  const result = await runChild(cmd, options);
  const parsed = lastJsonLine<T>(result.stdout);
  if (parsed !== undefined && result.exitCode === 0) return { value: parsed, cpu_us: result.cpu_us };
  const why = result.timedOut ? `timed out after ${options.timeoutMs} ms` : `exit ${result.exitCode}`;
  throw new Error(`${name}: ${why}; stderr: ${result.stderr.trim().split("\n").slice(-5).join(" | ") || "(empty)"}`);
}
