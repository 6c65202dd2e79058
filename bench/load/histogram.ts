/**
 * Latency histograms in whole microseconds (hdr-histogram-js, 3 significant digits), and the one summary shape
 * used everywhere: result.json, the console table and reports.
 */
import * as hdr from "hdr-histogram-js";
import type { Histogram } from "hdr-histogram-js";

export type { Histogram };

/** One hour in µs: anything slower is a broken run, and HDR needs a fixed ceiling. */
const HIGHEST_TRACKABLE_US = 3_600_000_000;

export interface LatencySummaryUs {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  /** Arithmetic mean, rounded to 0.1 µs. */
  readonly mean: number;
}

export function createHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
  });
}

/** Records a duration given in (fractional) milliseconds as whole microseconds, clamped to the tracked range. */
export function recordMs(histogram: Histogram, durationMs: number): void {
  const us = Math.round(durationMs * 1000);
  histogram.recordValue(us < 0 ? 0 : us > HIGHEST_TRACKABLE_US ? HIGHEST_TRACKABLE_US : us);
}

export function summarize(histogram: Histogram): LatencySummaryUs {
  if (histogram.totalCount === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    count: histogram.totalCount,
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
    max: histogram.maxValue,
    mean: Math.round(histogram.mean * 10) / 10,
  };
}

/** The HdrHistogram compressed base64 form, readable by every HdrHistogram implementation. */
export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded);
}
