/** Plain-text and Markdown tables for the bench's output. Pure. */

export type Cell = string | number | null | undefined;

/** Formats a number for a table: `digits` decimals, thousands separated; `-` when missing. */
export function fmt(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "-";
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A ratio as `1.23×`, `-` when missing. */
export function fmtRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : "-";
}

/** A fraction as a signed percentage, `+0.42%`. */
export function fmtPercent(fraction: number, digits = 2): string {
  if (!Number.isFinite(fraction)) return "-";
  return `${fraction >= 0 ? "+" : ""}${(fraction * 100).toFixed(digits)}%`;
}

const cellText = (cell: Cell): string => (cell === null || cell === undefined ? "-" : String(cell));

/**
 * A Markdown table whose columns are padded to line up in a terminal too. Columns whose
 * header starts with `>` (marker removed) are right-aligned.
 */
export function markdownTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const right = headers.map((h) => h.startsWith(">"));
  const names = headers.map((h) => (h.startsWith(">") ? h.slice(1) : h));
  const texts = rows.map((row) => names.map((_, i) => cellText(row[i])));
  const widths = names.map((name, i) => Math.max(3, name.length, ...texts.map((r) => r[i]!.length)));
  const pad = (text: string, i: number) => (right[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const line = (cells: readonly string[]) => `| ${cells.map(pad).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (right[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(names), rule, ...texts.map(line)].join("\n");
}
