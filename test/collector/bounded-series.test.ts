/**
 * A time series kept to a cap whatever the run's length: merged in pairs when full, rates merged exactly
 * (interval-weighted), and the same series whichever way the points arrive.
 */
import { describe, expect, it } from "vitest";
import { createBoundedSeries, seriesMerged, weightedMean } from "../../bench/collector/bounded-series.ts";
import { mergeTimeSeriesPoints } from "../../bench/collector/time-series.ts";
import type { TimeSeriesPoint } from "../../bench/collector/time-series.ts";
import { mergeKernelTimePoints } from "../../bench/collector/ebpf/kernel-time-report.ts";

/** A point of `intervalMs` ending at `tMs` in which `packets` packets passed. */
const point = (tMs: number, intervalMs: number, packets: number): TimeSeriesPoint => ({
  tMs,
  intervalMs,
  pps: (packets * 1000) / intervalMs,
  softirqRate: null,
  cpu: null,
});

describe("a bounded series", () => {
  it("keeps every point until the cap, then merges neighbours in pairs and later points by the new stride", () => {
    const series = createBoundedSeries((a: number[], b: number[]) => [...a, ...b], 4);
    for (let i = 1; i <= 4; i++) series.push([i]);
    expect(series.points()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(series.stride).toBe(2);
    series.push([5]);
    expect(series.points()).toEqual([[1, 2], [3, 4], [5]]);
    for (let i = 6; i <= 9; i++) series.push([i]);
    expect(series.points()).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9],
    ]);
    expect([series.recorded, series.stride]).toEqual([9, 4]);
    expect(seriesMerged(series)).toEqual({ recordedPoints: 9, intervalsPerPoint: 4, fullSeries: "timeseries.ndjson" });
  });

  it("never holds more than its cap, however many points arrive", () => {
    const series = createBoundedSeries(mergeTimeSeriesPoints, 600);
    for (let i = 1; i <= 100_000; i++) series.push(point(i * 100, 100, 10));
    const kept = series.points();
    expect(kept.length).toBeLessThanOrEqual(600);
    expect(kept.length).toBeGreaterThan(300);
    expect(series.stride).toBe(256);
    // 10 packets per 100 ms throughout: every merged point says 100 packets/s, and the intervals add up to the whole.
    expect(new Set(kept.map((p) => p.pps))).toEqual(new Set([100]));
    expect(kept.reduce((sum, p) => sum + p.intervalMs, 0)).toBe(100_000 * 100);
    expect(kept.at(-1)?.tMs).toBe(100_000 * 100);
  });

  it("refuses an odd or tiny cap", () => {
    expect(() => createBoundedSeries((a: number) => a, 3)).toThrow(/even integer/);
    expect(() => createBoundedSeries((a: number) => a, 0)).toThrow(RangeError);
  });
});

describe("merging two points", () => {
  it("gives the rate over the joined interval: packets over time", () => {
    // 30 packets in 100 ms, then 10 in 300 ms: 40 packets in 400 ms.
    const merged = mergeTimeSeriesPoints(point(100, 100, 30), point(400, 300, 10));
    expect(merged).toEqual({ tMs: 400, intervalMs: 400, pps: 100, softirqRate: null, cpu: null });
    expect(weightedMean(300, 100, null, 300)).toBeNull();
  });

  it("weights each CPU's split by interval, and leaves out a CPU only one point has", () => {
    const split = (userPct: number, idlePct: number) => ({ userPct, systemPct: 0, softirqPct: 0, irqPct: 0, idlePct, stealPct: 0 });
    const a: TimeSeriesPoint = { tMs: 100, intervalMs: 100, pps: 0, softirqRate: 50, cpu: { "0": split(100, 0), "1": split(0, 100) } };
    const b: TimeSeriesPoint = { tMs: 400, intervalMs: 300, pps: 0, softirqRate: 10, cpu: { "0": split(0, 100) } };
    expect(mergeTimeSeriesPoints(a, b)).toEqual({ tMs: 400, intervalMs: 400, pps: 0, softirqRate: 20, cpu: { "0": split(25, 75) } });
  });

  it("merges exact kernel time's points the same way, to the µs-rounded share", () => {
    const a = { tMs: 100, intervalMs: 100, perCpu: { "0": { softirqPct: 3, hardIrqPct: 1 } } };
    const b = { tMs: 400, intervalMs: 300, perCpu: { "0": { softirqPct: 1, hardIrqPct: 0 }, "1": { softirqPct: 9, hardIrqPct: 9 } } };
    expect(mergeKernelTimePoints(a, b)).toEqual({ tMs: 400, intervalMs: 400, perCpu: { "0": { softirqPct: 1.5, hardIrqPct: 0.25 } } });
  });
});
