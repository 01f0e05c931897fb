// `--duration 30s`, `--stage 1m30s:200`: a duration in the units a person types, as seconds.

/** Seconds per unit a duration may be written in. */
const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/**
 * Parses a duration such as `30s`, `500ms`, `1m30s`, `2h` or a bare `45` (seconds) into
 * seconds; returns an error message (naming what was expected) when it is not one.
 */
export function parseDurationS(text: string): number | string {
  const raw = text.trim();
  const expected = `expected a duration like 30s, 500ms, 1m30s or 2h, got "${text}"`;
  if (raw === "") return expected;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw);
  let total = 0;
  let rest = raw;
  while (rest !== "") {
    const part = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (part === null) return expected;
    total += Number(part[1]) * UNIT_S[part[2]!]!;
    rest = rest.slice(part[0].length);
  }
  // Sums of ms parts: 0.1 + 0.2 style noise trimmed to the millisecond.
  return Math.round(total * 1000) / 1000;
}
