/**
 * Deterministic weighted selection of a scenario's requests (issue 11), computed once per plan
 * as a cycle of Σweights picks: send `seq` of the test is `cycle[seq mod Σweights]`, so every
 * worker (given the test's seq) picks what a single loop would.
 *
 * Over every prefix of n sends, request i has been picked floor(n·wᵢ/W) or ceil(n·wᵢ/W) times,
 * i.e. within less than 1 of n·wᵢ/W. nginx's "smooth" greedy (pick the largest current weight)
 * misses that bound by up to ~0.2 for some weights, so the cycle is built as a schedule of unit
 * jobs instead: the j-th pick of request i may come at send n once ceil(n·wᵢ/W) ≥ j (release)
 * and must come by floor(n·wᵢ/W) = j (deadline); earliest deadline first meets every deadline,
 * since a schedule that does exists (Tijdeman, "The chairman assignment problem", 1980); ties
 * go to the request furthest behind its share, as in nginx. Built in O(Σweights × requests):
 * ~0.3 s for the largest (64 requests of distinct weights near 10,000), once per test.
 */

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The picks of one cycle (indexes into `weights`), Σweights long after dividing by the weights' common divisor. */
export function weightedCycle(weights: readonly number[]): Uint8Array | Uint16Array {
  if (weights.length === 0) throw new Error("weightedCycle: no weights");
  for (const w of weights) if (!Number.isSafeInteger(w) || w < 1) throw new Error(`weightedCycle: weight ${w} is not a positive integer`);
  const divisor = weights.reduce(gcd);
  const w = weights.map((x) => x / divisor);
  const total = w.reduce((a, b) => a + b, 0);
  const cycle = weights.length <= 256 ? new Uint8Array(total) : new Uint16Array(total);
  const picked = w.map(() => 0);
  // Release (first send, 1-based, it may take) and deadline of each request's next pick.
  const release = w.map(() => 1);
  const deadline = w.map((wi) => Math.ceil(total / wi));
  for (let n = 1; n <= total; n++) {
    let best = -1;
    for (let i = 0; i < w.length; i++) {
      if (picked[i]! >= w[i]! || release[i]! > n) continue;
      if (best < 0 || deadline[i]! < deadline[best]!) best = i;
      // Among equal deadlines the one furthest behind its share goes first (nginx's order), so 3:1 is A A B A.
      else if (deadline[i] === deadline[best] && n * w[i]! - total * picked[i]! > n * w[best]! - total * picked[best]!) best = i;
    }
    // Unreachable when the theorem holds; a bug must not send a wrong mix silently.
    if (best < 0) throw new Error(`weightedCycle: no request can take send ${n}`);
    cycle[n - 1] = best;
    const j = ++picked[best]!;
    const wi = w[best]!;
    release[best] = Math.floor((j * total) / wi) + 1;
    deadline[best] = Math.ceil(((j + 1) * total) / wi);
  }
  return cycle;
}

/** Picks request indexes by the test's 0-based send index: `pick(seq) = cycle[seq mod cycle length]`. */
export class WeightedPicker {
  private readonly cycle: Uint8Array | Uint16Array;

  constructor(weights: readonly number[]) {
    this.cycle = weightedCycle(weights);
  }

  /** Length of one cycle (Σweights over their common divisor). */
  get length(): number {
    return this.cycle.length;
  }

  /** The request index of send `seq` (0-based, the test's numbering). */
  pick(seq: number): number {
    return this.cycle[seq % this.cycle.length]!;
  }
}
