/**
 * The few statistics reports, comparisons and plans use. Pure, exact-value tested (test/report/report-stats.test.ts).
 *
 * Repeats are few (2–5), so spreads are descriptive: a sample standard deviation (n − 1, Bessel) and the min–max
 * range, never a confidence interval that would need more samples and a distribution assumption.
 */

export interface Spread {
  /** Values that went in (nulls and non-finite values dropped). */
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1); null when n < 2, where no spread can be told. */
  readonly sd: number | null;
  readonly min: number;
  readonly max: number;
}

export function finite(values: readonly (number | null | undefined)[]): number[] {
  return values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Sample standard deviation with Bessel's correction; null below two values. */
export function sampleSd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const m = mean(values);
  const squares = values.reduce((sum, v) => sum + (v - m) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}

/** Mean, sample SD and range of the finite values; null when none is left. */
export function spreadOf(values: readonly (number | null | undefined)[]): Spread | null {
  const xs = finite(values);
  if (xs.length === 0) return null;
  return { n: xs.length, mean: mean(xs), sd: sampleSd(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** sd / mean: the relative spread (coefficient of variation); null without an SD or with a zero mean. */
export function relativeSpread(s: Spread): number | null {
  if (s.sd === null || s.mean === 0) return null;
  return Math.abs(s.sd / s.mean);
}

/**
 * A protocol's figure against the baseline protocol's, as the mean of per-repeat ratios ± their sample SD.
 * Repeat r of one is paired with repeat r of the other: the run interleaves protocols (bench/run.ts), so a pair ran
 * minutes apart at most and slow drift of the machine cancels inside each ratio. A pair with a missing value or a
 * zero baseline is dropped.
 */
export function pairedRatio(
  values: ReadonlyMap<number, number | null>,
  baseline: ReadonlyMap<number, number | null>,
): Spread | null {
  const ratios: number[] = [];
  for (const [repeat, value] of values) {
    const base = baseline.get(repeat);
    if (value === null || base === null || base === undefined || base === 0) continue;
    ratios.push(value / base);
  }
  return spreadOf(ratios);
}

/**
 * A protocol's figure minus the baseline's, paired by repeat like `pairedRatio`: the mean of per-repeat differences
 * ± their sample SD, for costs that read better as an amount added ("+0.08 packets per request"). A pair with a
 * missing value is dropped; a zero baseline is kept, since a difference needs no division.
 */
export function pairedDifference(
  values: ReadonlyMap<number, number | null>,
  baseline: ReadonlyMap<number, number | null>,
): Spread | null {
  const differences: number[] = [];
  for (const [repeat, value] of values) {
    const base = baseline.get(repeat);
    if (value === null || base === null || base === undefined) continue;
    differences.push(value - base);
  }
  return spreadOf(differences);
}

export interface Factor {
  readonly factor: number;
  /** Absolute uncertainty of the factor (one SD, propagated); null when either side has no SD. */
  readonly uncertainty: number | null;
}

/**
 * `after.mean / before.mean` for two independent runs (no pairing: their repeats ran at different times), with
 * the relative SDs added in quadrature — the first-order propagation hyperfine uses for its relative speed
 * (src/benchmark/relative_speed.rs). Null with a zero `before`.
 */
export function ratioOfMeans(before: Spread, after: Spread): Factor | null {
  if (before.mean === 0) return null;
  const factor = after.mean / before.mean;
  if (before.sd === null || after.sd === null) return { factor, uncertainty: null };
  // f = A/B: σf² = (σA/B)² + (A·σB/B²)², the quadrature form that stays finite when A is 0.
  const fromAfter = after.sd / before.mean;
  const fromBefore = (after.mean * before.sd) / (before.mean * before.mean);
  return { factor, uncertainty: Math.sqrt(fromAfter * fromAfter + fromBefore * fromBefore) };
}
