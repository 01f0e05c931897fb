/** Lines held back for one key in a window that has ended. */
export interface Suppressed {
  key: string;
  count: number;
}

interface Window {
  start: number;
  logged: number;
  suppressed: number;
}

/**
 * Caps log lines per key: at most `perWindow` lines each `windowMs`; the rest are counted and
 * reported by `drain` once their window has ended (one summary line a key a window). Pure:
 * time comes in as `now`.
 */
export class LogThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly pending: Suppressed[] = [];

  constructor(
    private readonly perWindow = 10,
    private readonly windowMs = 1_000,
  ) {}

  /** Whether a line for `key` may be logged now; if not, it is counted for the summary. */
  allow(key: string, now: number): boolean {
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      if (window && window.suppressed > 0) this.pending.push({ key, count: window.suppressed });
      window = { start: now, logged: 0, suppressed: 0 };
      this.windows.set(key, window);
    }
    if (window.logged < this.perWindow) {
      window.logged++;
      return true;
    }
    window.suppressed++;
    return false;
  }

  /** Counts held back in windows that have ended since the last drain (call it on a timer). */
  drain(now: number): Suppressed[] {
    const out = this.pending.splice(0);
    for (const [key, window] of this.windows) {
      if (now - window.start < this.windowMs) continue;
      if (window.suppressed > 0) out.push({ key, count: window.suppressed });
      this.windows.delete(key);
    }
    return out;
  }
}
