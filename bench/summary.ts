/** Pure number helpers of the bench: medians, quantiles, ratios. No IO. */

/** The median of `values` (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The `q` quantile (0..1) of `values` by linear interpolation between order statistics; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return NaN;
  const sorted = Float64Array.from(finite).sort();
  return quantileOfSorted(sorted, q);
}

/** The `q` quantile of an ascending array (no copy): for large samples taken by the bench itself. */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const at = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** `a / b`, NaN when either is missing or `b` is zero. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN;
}

/** Relative error of `actual` against `expected`, as a fraction (0.01 is 1%). */
export function relativeError(actual: number, expected: number): number {
  return expected === 0 ? NaN : Math.abs(actual - expected) / expected;
}

/** A growable sample of numbers in a typed array (no boxing, amortised doubling). */
export class Samples {
  private data = new Float64Array(1024);
  private n = 0;

  push(value: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = value;
  }

  get length(): number {
    return this.n;
  }

  /** The given quantiles, sorting once. */
  quantiles(qs: readonly number[]): number[] {
    const sorted = this.data.slice(0, this.n).sort();
    return qs.map((q) => quantileOfSorted(sorted, q));
  }
}
