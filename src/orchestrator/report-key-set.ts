// The report keys a test has counted (duplicate refusal), in a form that does not grow per report.
// Our drivers number their reports: a key is `<prefix>:<sequence>` (reportId in
// src/driver/test-stats.ts; reportKey adds the instance), so each prefix (one driver process in
// one test) keeps its sequences as disjoint ranges [lo, hi]: one range while reports arrive in
// order, one more per report that never arrived. Exact: `has` answers for exactly the keys added.
// A key of another form (a driver speaking only the brief, with its own ids) is kept as itself.

/** The sequences of one prefix: sorted, disjoint, non-adjacent ranges (starts and ends). */
class Ranges {
  constructor(
    readonly lo: number[] = [],
    readonly hi: number[] = [],
  ) {}

  clone(): Ranges {
    return new Ranges([...this.lo], [...this.hi]);
  }

  /** Index of the last range starting at or before `n` (-1: none). */
  private find(n: number): number {
    let a = 0;
    let b = this.lo.length - 1;
    let found = -1;
    while (a <= b) {
      const m = (a + b) >> 1;
      if (this.lo[m]! <= n) (found = m), (a = m + 1);
      else b = m - 1;
    }
    return found;
  }

  has(n: number): boolean {
    const i = this.find(n);
    return i >= 0 && n <= this.hi[i]!;
  }

  /** Adds `n` (not yet in); merges the ranges it joins. */
  add(n: number): void {
    const i = this.find(n);
    const joinsLeft = i >= 0 && this.hi[i]! + 1 === n;
    const joinsRight = i + 1 < this.lo.length && this.lo[i + 1]! - 1 === n;
    if (joinsLeft && joinsRight) {
      this.hi[i] = this.hi[i + 1]!;
      this.lo.splice(i + 1, 1);
      this.hi.splice(i + 1, 1);
    } else if (joinsLeft) this.hi[i] = n;
    else if (joinsRight) this.lo[i + 1] = n;
    else {
      this.lo.splice(i + 1, 0, n);
      this.hi.splice(i + 1, 0, n);
    }
  }
}

/** A sequence number as it appears at a key's end: digits without a leading zero (so the key reads back the same). */
const SEQUENCED = /^(.*):(0|[1-9]\d{0,14})$/;

/**
 * A set of report keys (see reportKey) whose memory grows with the number of driver processes
 * and of gaps in their sequences, not with the number of reports: what a running test keeps to
 * refuse a replayed report, for hours.
 */
export class ReportKeySet {
  private readonly byPrefix = new Map<string, Ranges>();
  private readonly other = new Set<string>();

  /** Whether `key` was added. */
  has(key: string): boolean {
    const m = SEQUENCED.exec(key);
    if (!m) return this.other.has(key);
    return this.byPrefix.get(m[1]!)?.has(Number(m[2])) ?? false;
  }

  /** Adds `key` (a key already in is left as it is). */
  add(key: string): this {
    const m = SEQUENCED.exec(key);
    if (!m) return this.other.add(key), this;
    let ranges = this.byPrefix.get(m[1]!);
    if (!ranges) this.byPrefix.set(m[1]!, (ranges = new Ranges()));
    const n = Number(m[2]);
    if (!ranges.has(n)) ranges.add(n);
    return this;
  }

  /** A copy that changes apart from this set. */
  clone(): ReportKeySet {
    const copy = new ReportKeySet();
    for (const [prefix, ranges] of this.byPrefix) copy.byPrefix.set(prefix, ranges.clone());
    for (const key of this.other) copy.other.add(key);
    return copy;
  }

  /** How many ranges and plain keys are held: what the set's memory grows with (for tests and the soak bench). */
  get footprint(): number {
    let n = this.other.size;
    for (const r of this.byPrefix.values()) n += r.lo.length;
    return n;
  }
}
