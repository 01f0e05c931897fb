// The seconds of a series kept as their point only (closed and older than the cells' window, or
// restored from the store), held in columns of numbers rather than as objects: one row of
// Float64 per sample (the total, then each driver's), ~150 B instead of ~750 B of objects and
// strings, and nothing for the collector to walk. An hours-long test's memory then grows by
// ~1.3 KB per second of 8 drivers (~4.7 MB per hour). A point reads back exactly as it was stored:
// every figure is a float64, a null is NaN (JSON shows both as null), the driver names and their
// order are kept.
import type { ErrorsView } from "./snapshot.ts";
import type { SeriesPoint, SeriesSample } from "./series.ts";

/** Row layout: who (-1 - driver rows for the total row; the driver's index otherwise), flags, then the figures. */
const WHO = 0;
const FLAGS = 1;
const FIGURES = ["requests_per_s", "sent", "completed", "status_4xx", "status_5xx", "timeout", "connection_error", "errors_total", "late", "p50", "p90", "p95", "p99", "max", "bytes_sent", "bytes_received", "check_failed"] as const;
const FIRST = 2;
const WIDTH = FIRST + FIGURES.length;
const at = (name: (typeof FIGURES)[number]) => FIRST + FIGURES.indexOf(name);
const [RPS, SENT, COMPLETED, E4XX, E5XX, TIMEOUT, CONN, ETOTAL, LATE, P50, P90, P95, P99, MAX, BYTES_SENT, BYTES_RECEIVED, CHECK_FAILED] = FIGURES.map(at) as number[];
const OPTIONAL = [["bytes_sent", BYTES_SENT!], ["bytes_received", BYTES_RECEIVED!], ["check_failed", CHECK_FAILED!]] as const;

/** Rows per block of storage (blocks are never reallocated: growth costs one block at a time). */
const BLOCK_ROWS = 2_048;

const orNaN = (x: number | null | undefined) => (x === null || x === undefined ? NaN : x);
const orNull = (x: number) => (Number.isNaN(x) ? null : x);

/** Closed seconds of one series as their points, in columns (see the file's comment). */
export class FrozenPoints {
  private readonly blocks: Float64Array[] = [];
  private rows = 0;
  private readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  /** The seconds held, ascending, and the first row of each (parallel; `count` used). */
  private ts = new Float64Array(256);
  private firstRow = new Float64Array(256);
  private count = 0;

  /** Rows written so far (the memory held grows with them: ~150 B each). */
  get rowsUsed(): number {
    return this.rows;
  }

  /** How many seconds are held. */
  get size(): number {
    return this.count;
  }

  /** Index of second `t` in `ts`, or -(insertion point) - 1. */
  private search(t: number): number {
    let a = 0;
    let b = this.count - 1;
    while (a <= b) {
      const m = (a + b) >> 1;
      const v = this.ts[m]!;
      if (v === t) return m;
      if (v < t) a = m + 1;
      else b = m - 1;
    }
    return -a - 1;
  }

  has(t: number): boolean {
    return this.search(t) >= 0;
  }

  /** Second `t`'s point, built afresh from its rows (undefined when not held). */
  get(t: number): SeriesPoint | undefined {
    const i = this.search(t);
    if (i < 0) return undefined;
    const first = this.firstRow[i]!;
    const drivers: Record<string, SeriesSample> = {};
    const n = -1 - this.cell(first, WHO);
    for (let r = first + 1; r <= first + n; r++) drivers[this.names[this.cell(r, WHO)]!] = this.sample(r);
    return { t_s: t, total: this.sample(first), drivers };
  }

  /**
   * Stores (or replaces) second `point.t_s`'s point. A replaced point with the same drivers in
   * the same order is rewritten in place (a driver whose clock is behind puts every window in
   * second 0); one with another driver set gets new rows, and its old rows stay unused.
   */
  set(point: SeriesPoint): void {
    const drivers = Object.entries(point.drivers);
    const indexes = drivers.map(([name]) => {
      let index = this.nameIndex.get(name);
      if (index === undefined) this.nameIndex.set(name, (index = this.names.push(name) - 1));
      return index;
    });
    const i = this.search(point.t_s);
    const old = i >= 0 ? this.firstRow[i]! : -1;
    const same = old >= 0 && this.cell(old, WHO) === -1 - drivers.length && indexes.every((index, k) => this.cell(old + 1 + k, WHO) === index);
    const first = same ? old : this.rows;
    this.write(first, -1 - drivers.length, point.total);
    drivers.forEach(([, sample], k) => this.write(first + 1 + k, indexes[k]!, sample));
    if (i >= 0) this.firstRow[i] = first;
    else this.insert(-i - 1, point.t_s, first);
  }

  /** The seconds held from `fromS` to `toS`, ascending. */
  secondsIn(fromS: number, toS: number): number[] {
    const out: number[] = [];
    let i = this.search(fromS);
    if (i < 0) i = -i - 1;
    for (; i < this.count && this.ts[i]! <= toS; i++) out.push(this.ts[i]!);
    return out;
  }

  private insert(i: number, t: number, first: number): void {
    if (this.count === this.ts.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.ts = grow(this.ts);
      this.firstRow = grow(this.firstRow);
    }
    this.ts.copyWithin(i + 1, i, this.count);
    this.firstRow.copyWithin(i + 1, i, this.count);
    this.ts[i] = t;
    this.firstRow[i] = first;
    this.count++;
  }

  private cell(row: number, column: number): number {
    return this.blocks[Math.floor(row / BLOCK_ROWS)]![(row % BLOCK_ROWS) * WIDTH + column]!;
  }

  /** Writes row `row` (the next new row, or one of a point rewritten in place). */
  private write(row: number, who: number, s: SeriesSample): void {
    if (row === this.rows) {
      if (this.rows === this.blocks.length * BLOCK_ROWS) this.blocks.push(new Float64Array(BLOCK_ROWS * WIDTH));
      this.rows++;
    }
    const block = this.blocks[Math.floor(row / BLOCK_ROWS)]!;
    const o = (row % BLOCK_ROWS) * WIDTH;
    let flags = 0;
    OPTIONAL.forEach(([name], bit) => (flags |= s[name] !== undefined ? 1 << bit : 0));
    block[o + WHO] = who;
    block[o + FLAGS] = flags;
    block[o + RPS!] = s.requests_per_s;
    block[o + SENT!] = s.sent;
    block[o + COMPLETED!] = s.completed;
    block[o + E4XX!] = s.errors.status_4xx;
    block[o + E5XX!] = s.errors.status_5xx;
    block[o + TIMEOUT!] = s.errors.timeout;
    block[o + CONN!] = s.errors.connection_error;
    block[o + ETOTAL!] = s.errors.total;
    block[o + LATE!] = s.late;
    block[o + P50!] = orNaN(s.p50);
    block[o + P90!] = orNaN(s.p90);
    block[o + P95!] = orNaN(s.p95);
    block[o + P99!] = orNaN(s.p99);
    block[o + MAX!] = orNaN(s.max);
    for (const [name, column] of OPTIONAL) block[o + column] = orNaN(s[name]);
  }

  private sample(row: number): SeriesSample {
    const v = (column: number) => this.cell(row, column);
    const errors: ErrorsView = { status_4xx: v(E4XX!), status_5xx: v(E5XX!), timeout: v(TIMEOUT!), connection_error: v(CONN!), total: v(ETOTAL!) };
    const sample: SeriesSample = {
      requests_per_s: v(RPS!),
      sent: v(SENT!),
      completed: v(COMPLETED!),
      errors,
      late: v(LATE!),
      p50: orNull(v(P50!)),
      p90: orNull(v(P90!)),
      p95: orNull(v(P95!)),
      p99: orNull(v(P99!)),
      max: orNull(v(MAX!)),
    };
    const flags = v(FLAGS);
    OPTIONAL.forEach(([name, column], bit) => {
      if (flags & (1 << bit)) sample[name] = v(column);
    });
    return sample;
  }
}
