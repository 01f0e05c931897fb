import { waitFor } from "./wait.ts";

/**
 * Measures how late this process's timers fire (the event loop's scheduling lag), as a proxy for
 * how loaded the machine is at that moment: a timer is armed every `everyMs`, and each firing's
 * lateness is kept. On an idle machine the worst is 1-2 ms; on a 2-core box shared with other
 * jobs it reaches tens of ms, or seconds, and every process there (drivers, target) is delayed alike.
 */
export interface LagProbe {
  /** Worst lateness since the last reset (ms). */
  worstMs(): number;
  /** Worst lateness over the last `windowMs` (Infinity until the probe has run that long). */
  worstInLastMs(windowMs: number): number;
  reset(): void;
  stop(): void;
}

const KEPT_MS = 10_000;

/** Starts probing at once. */
export function startLagProbe(everyMs = 5): LagProbe {
  const startedAt = performance.now();
  let worst = 0;
  const recent: { at: number; lateMs: number }[] = [];
  let expected = startedAt + everyMs;
  let timer: ReturnType<typeof setTimeout>;
  const tick = () => {
    const now = performance.now();
    const late = Math.max(0, now - expected);
    worst = Math.max(worst, late);
    recent.push({ at: now, lateMs: late });
    while (recent.length > 0 && now - recent[0]!.at > KEPT_MS) recent.shift();
    expected = now + everyMs;
    timer = setTimeout(tick, everyMs);
  };
  timer = setTimeout(tick, everyMs);
  return {
    worstMs: () => worst,
    worstInLastMs(windowMs) {
      const now = performance.now();
      if (now - startedAt < windowMs) return Infinity;
      // A probe starved for the whole window fired no timer in it: that is the worst of all.
      const last = recent.at(-1);
      let max = last === undefined ? Infinity : now - last.at;
      for (const s of recent) if (now - s.at <= windowMs) max = Math.max(max, s.lateMs);
      return max;
    },
    reset: () => void (worst = 0),
    stop: () => clearTimeout(timer),
  };
}

/**
 * Waits (at most `timeoutMs`) for a moment when timers have run at most `quietMs` late for a
 * whole second, so a timing measurement is not taken in the middle of a load spike. Returns the
 * lag seen when it stopped waiting (above `quietMs` when the machine never quietened).
 */
export async function waitForQuiet(probe: LagProbe, quietMs = 5, timeoutMs = 60_000): Promise<number> {
  try {
    await waitFor("a quiet second on this machine", () => probe.worstInLastMs(1_000) <= quietMs, { timeoutMs, intervalMs: 100 });
  } catch {
    // Never quiet: measure anyway; the caller reports the lag with its figures.
  }
  return probe.worstInLastMs(1_000);
}
