// Hand-drawn SVG line charts, pure string in and out: the dashboard sets them as innerHTML,
// the HTML report inlines them. No DOM, no IO.
import { escapeHtml } from "../../format/format.ts";
import { downsampleLines, MAX_LINE_POINTS } from "./downsample.ts";

/** One line: points are [x, y]; a null y leaves a gap. */
export interface ChartLine {
  name: string;
  color: string;
  points: readonly (readonly [number, number | null])[];
  width?: number;
  dashed?: boolean;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  /** Appended to y tick labels ("ms", "/s"). */
  yUnit?: string;
  /** Appended to x tick labels (default "s"). */
  xUnit?: string;
  /** Draw the legend inside the SVG (the dashboard draws its own). */
  legend?: boolean;
  /** Accessible title. */
  title?: string;
  /** Points drawn per line at most (min/max decimation, see downsample.ts); default MAX_LINE_POINTS. */
  maxPoints?: number;
  /** Labels the x ticks instead of `tickLabel(v) + xUnit` (a log axis labels 2 as "99%"). */
  xTickLabel?: (v: number) => string;
}

/** Driver line colours, distinguishable on dark and light backgrounds. */
export const PALETTE = ["#4f9cf9", "#f5a524", "#17c964", "#f31260", "#9353d3", "#06b7db", "#ff7a45", "#a3e635"];

/** About `count` round tick values covering [min, max] (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(min: number, max: number, count = 5, minStep = 0): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0];
  if (max <= min) max = min + 1;
  const raw = Math.max(minStep, (max - min) / Math.max(1, count));
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  if (ticks[ticks.length - 1]! < max) ticks.push(Math.round((ticks[ticks.length - 1]! + step) * 1e6) / 1e6);
  return ticks;
}

/** A short tick label: 1500 → "1.5k". */
export function tickLabel(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (abs >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(abs < 10 ? 2 : 1)}`;
}

/** The SVG path of a line, broken at null values. */
function pathOf(points: ChartLine["points"], x: (v: number) => number, y: (v: number) => number): string {
  let d = "";
  let pen = false;
  for (const [px, py] of points) {
    if (py === null || !Number.isFinite(py)) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${x(px).toFixed(1)},${y(py).toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** An SVG line chart with axes, grid and (optionally) a legend. */
export function lineChart(input: readonly ChartLine[], options: ChartOptions = {}): string {
  // An hours-long series: every bucket's min and max are drawn, the rest is beyond the pixels.
  const lines = downsampleLines(input, options.maxPoints ?? MAX_LINE_POINTS);
  const { width = 640, height = 240, yUnit = "", xUnit = "s", legend = false, title = "", xTickLabel } = options;
  const legendRows = legend ? Math.ceil(lines.length / Math.max(1, Math.floor((width - 60) / 120))) : 0;
  const pad = { top: 12 + legendRows * 18, right: 16, bottom: 26, left: 52 };
  // The x range of the full lines (decimation may drop a line's first or last second).
  let xLo = Infinity;
  let xHi = -Infinity;
  for (const l of input) for (const [px] of l.points) (xLo = Math.min(xLo, px)), (xHi = Math.max(xHi, px));
  const ys = lines.flatMap((l) => l.points.flatMap((p) => (p[1] === null || !Number.isFinite(p[1]) ? [] : [p[1]])));
  const xMin = xLo <= xHi ? xLo : 0;
  const xMax = xLo <= xHi ? Math.max(xHi, xMin + 1) : 1;
  const yTicks = niceTicks(0, ys.length > 0 ? Math.max(...ys) : 1, 4);
  const yMax = yTicks[yTicks.length - 1]!;
  // Points are whole seconds: no tick between two of them.
  const xTicks = niceTicks(xMin, xMax, Math.max(2, Math.floor((width - pad.left - pad.right) / 70)), 1).filter((t) => t >= xMin && t <= xMax);
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const x = (v: number) => pad.left + ((v - xMin) / (xMax - xMin)) * plotW;
  const y = (v: number) => pad.top + plotH - (v / yMax) * plotH;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">`,
  ];
  if (title) out.push(`<title>${escapeHtml(title)}</title>`);
  for (const t of yTicks) {
    out.push(`<line class="grid" x1="${pad.left}" x2="${width - pad.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="currentColor" stroke-opacity="0.12"/>`);
    out.push(`<text class="tick" x="${pad.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="currentColor" fill-opacity="0.6">${tickLabel(t)}${escapeHtml(yUnit)}</text>`);
  }
  for (const t of xTicks) {
    out.push(`<text class="tick" x="${x(t).toFixed(1)}" y="${height - 8}" text-anchor="middle" font-size="11" fill="currentColor" fill-opacity="0.6">${escapeHtml(xTickLabel ? xTickLabel(t) : `${tickLabel(t)}${xUnit}`)}</text>`);
  }
  out.push(`<line x1="${pad.left}" x2="${width - pad.right}" y1="${pad.top + plotH}" y2="${pad.top + plotH}" stroke="currentColor" stroke-opacity="0.35"/>`);
  if (ys.length === 0) {
    out.push(`<text x="${pad.left + plotW / 2}" y="${pad.top + plotH / 2}" text-anchor="middle" font-size="13" fill="currentColor" fill-opacity="0.5">waiting for data…</text>`);
  }
  for (const line of lines) {
    const d = pathOf(line.points, x, y);
    if (d === "") continue;
    const dash = line.dashed ? ` stroke-dasharray="5 4"` : "";
    out.push(
      `<path d="${d}" fill="none" stroke="${escapeHtml(line.color)}" stroke-width="${line.width ?? 1.5}" stroke-linejoin="round" stroke-linecap="round"${dash}><title>${escapeHtml(line.name)}</title></path>`,
    );
    // A single point has no segment to draw: mark it.
    const real = line.points.filter((p) => p[1] !== null);
    if (real.length === 1) out.push(`<circle cx="${x(real[0]![0]).toFixed(1)}" cy="${y(real[0]![1]!).toFixed(1)}" r="2.5" fill="${escapeHtml(line.color)}"/>`);
  }
  if (legend) {
    const perRow = Math.max(1, Math.floor((width - 60) / 120));
    lines.forEach((line, i) => {
      const lx = pad.left + (i % perRow) * 120;
      const ly = 14 + Math.floor(i / perRow) * 18;
      out.push(`<rect x="${lx}" y="${ly - 8}" width="12" height="3" fill="${escapeHtml(line.color)}"/>`);
      out.push(`<text x="${lx + 16}" y="${ly - 3}" font-size="11" fill="currentColor">${escapeHtml(line.name.slice(0, 16))}</text>`);
    });
  }
  out.push("</svg>");
  return out.join("");
}
