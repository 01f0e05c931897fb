// Number, time and HTML-text formatting shared by the CLI, the server (HTML report, abort reasons)
// and the dashboard in the browser: no DOM, no Node API, so every one of them can import it.

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** `12345` → "12,345"; null → "–". */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? "–" : integer.format(n);
}

/** A rate with one decimal below 100/s, none above: "12.5", "1,234". */
export function formatRate(perS: number | null | undefined): string {
  if (perS === null || perS === undefined || !Number.isFinite(perS)) return "–";
  return perS < 100 ? (Math.round(perS * 10) / 10).toFixed(1) : integer.format(perS);
}

/** Latency in ms: "0.42 ms", "12.3 ms", "1.25 s". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** A duration: "850 ms", "5.2 s", "3m 04s", "1h 02m". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.floor(s);
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, "0")}s`;
  return `${Math.floor(whole / 3600)}h ${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")}m`;
}

/** `part` of `whole` as a percentage with two decimals: "0.25%"; "–" when whole is 0. */
export function formatPercent(part: number, whole: number): string {
  if (!(whole > 0)) return "–";
  return `${((part * 100) / whole).toFixed(2)}%`;
}

/** How long ago `at` was, relative to `now`: "now", "3 s ago", "2 min ago". */
export function formatAgo(at: number | null | undefined, now: number): string {
  if (at === null || at === undefined) return "–";
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 2) return "now";
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/** Local date and time of an epoch ms: "2024-05-01 14:03:22". */
export function formatTimestamp(at: number | null | undefined): string {
  if (at === null || at === undefined) return "–";
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The first 8 characters of an id (a UUID's first group). */
export const shortId = (id: string): string => id.slice(0, 8);

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
