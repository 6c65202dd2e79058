/**
 * Number formatting shared by every renderer. Deterministic (no locale: `toLocaleString` would change with the
 * machine's LANG and break snapshots) and never prints "-0.00".
 */
import type { Spread } from "./stats.ts";

export const MISSING = "–";

export function fixed(value: number | null | undefined, digits: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  const text = value.toFixed(digits);
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text;
}

/** Digits that keep about three significant figures for a spread's size, between 0 and 4 decimals. */
export function digitsFor(value: number): number {
  const a = Math.abs(value);
  if (a === 0 || a >= 100) return 0;
  if (a >= 10) return 1;
  if (a >= 1) return 2;
  if (a >= 0.1) return 3;
  return 4;
}

/** "1.96 ± 0.03×" (mean ± sample SD of per-repeat ratios), or "1.96×" from a single repeat. */
export function formatFactor(s: Spread | null): string {
  if (s === null) return MISSING;
  const sd = s.sd === null ? "" : ` ± ${fixed(s.sd, 2)}`;
  return `${fixed(s.mean, 2)}${sd}×`;
}

/** "12.3 ± 0.4" with digits from the metric, or the bare mean for one value. */
export function formatSpread(s: Spread | null, digits: number): string {
  if (s === null) return MISSING;
  return s.sd === null ? fixed(s.mean, digits) : `${fixed(s.mean, digits)} ± ${fixed(s.sd, digits)}`;
}

/**
 * "+0.080 ± 0.002" (mean ± sample SD of per-repeat differences), signed so an added cost reads as one; a mean that
 * rounds to zero has no sign.
 */
export function formatDifference(s: Spread | null, digits: number): string {
  if (s === null) return MISSING;
  const mean = fixed(s.mean, digits);
  const sign = s.mean > 0 && /[1-9]/.test(mean) ? "+" : "";
  return s.sd === null ? `${sign}${mean}` : `${sign}${mean} ± ${fixed(s.sd, digits)}`;
}

/** Whole microseconds as µs / ms / s, the console table's units (bench/table.ts formatUs). */
export function formatUs(us: number | null): string {
  if (us === null || !Number.isFinite(us)) return MISSING;
  if (us < 1000) return `${fixed(us, 0)} µs`;
  if (us < 1_000_000) return `${fixed(us / 1000, 2)} ms`;
  return `${fixed(us / 1_000_000, 2)} s`;
}

/** Rates and counts with SI-ish suffixes for plan output: 1234567 → "1.23 M". */
export function formatQuantity(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return MISSING;
  const a = Math.abs(value);
  if (a >= 1e9) return `${fixed(value / 1e9, 2)} G`;
  if (a >= 1e6) return `${fixed(value / 1e6, 2)} M`;
  if (a >= 1e4) return `${fixed(value / 1e3, 1)} k`;
  return fixed(value, digitsFor(value));
}

export function plural(n: number, one: string, many: string = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
