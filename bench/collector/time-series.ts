import { weightedMean } from "./bounded-series.ts";
import { diffSnapshots } from "./diff-snapshots.ts";
import type { SnapshotDelta } from "./delta-types.ts";
import type { CpuTimes } from "./parse-proc-stat.ts";
import { sumPerCpu } from "./per-cpu.ts";
import type { Snapshot } from "./snapshot-types.ts";

/** One CPU's time split over a sample interval, % of that CPU's ticks in the interval. */
export interface CpuSplitPct {
  /** user + nice */
  readonly userPct: number;
  readonly systemPct: number;
  readonly softirqPct: number;
  readonly irqPct: number;
  /** idle + iowait */
  readonly idlePct: number;
  readonly stealPct: number;
}

export interface TimeSeriesPoint {
  /** End of the interval, ms after the first sample. */
  readonly tMs: number;
  readonly intervalMs: number;
  /** Server interface packets per second (rx + tx; rx only on lo). */
  readonly pps: number | null;
  /** NET_RX + NET_TX softirq runs per second, all CPUs. */
  readonly softirqRate: number | null;
  /**
   * Per CPU. At USER_HZ = 100 and 10 Hz sampling each interval holds ~10 ticks per CPU, so a point's split is
   * coarse (10% steps); average points for anything finer.
   */
  readonly cpu: Readonly<Record<string, CpuSplitPct>> | null;
}

/** Turns consecutive (lean) samples into rates. Pure. */
export function toTimeSeries(samples: readonly Snapshot[]): TimeSeriesPoint[] {
  const first = samples[0];
  if (first === undefined) return [];
  const points: TimeSeriesPoint[] = [];
  let start = first;
  for (const end of samples.slice(1)) {
    points.push(timeSeriesPoint(first, start, end));
    start = end;
  }
  return points;
}

/** The point of the interval from `start` to `end`, timed from the series' `first` sample. Pure. */
export function timeSeriesPoint(first: Snapshot, start: Snapshot, end: Snapshot): TimeSeriesPoint {
  const delta = diffSnapshots(start, end);
  return { tMs: end.tMs - first.tMs, intervalMs: delta.windowMs, ...rates(delta) };
}

/**
 * Two consecutive points as one covering both intervals (bench/collector/bounded-series.ts): rates weighted by their
 * intervals. A CPU's split is weighted by interval too, which is its tick count to within a tick either side. A CPU
 * missing from either point is left out. Pure.
 */
export function mergeTimeSeriesPoints(a: TimeSeriesPoint, b: TimeSeriesPoint): TimeSeriesPoint {
  const wa = a.intervalMs;
  const wb = b.intervalMs;
  let cpu: Record<string, CpuSplitPct> | null = null;
  if (a.cpu !== null && b.cpu !== null) {
    cpu = {};
    for (const [id, x] of Object.entries(a.cpu)) {
      const y = b.cpu[id];
      if (y === undefined) continue;
      const mix = (key: keyof CpuSplitPct): number => weightedMean(x[key], wa, y[key], wb) ?? 0;
      cpu[id] = { userPct: mix("userPct"), systemPct: mix("systemPct"), softirqPct: mix("softirqPct"), irqPct: mix("irqPct"), idlePct: mix("idlePct"), stealPct: mix("stealPct") };
    }
  }
  return { tMs: b.tMs, intervalMs: wa + wb, pps: weightedMean(a.pps, wa, b.pps, wb), softirqRate: weightedMean(a.softirqRate, wa, b.softirqRate, wb), cpu };
}

function rates(delta: SnapshotDelta): Pick<TimeSeriesPoint, "pps" | "softirqRate" | "cpu"> {
  const seconds = delta.windowMs / 1000;
  let packets: number | null = 0;
  for (const [name, reading] of Object.entries(delta.server.interfaces)) {
    if (!reading.ok || packets === null) packets = null;
    else packets += reading.value.rxPackets + (name === "lo" ? 0 : reading.value.txPackets);
  }
  let softirqRate: number | null = null;
  if (delta.softirqs.ok) {
    const rx = delta.softirqs.value.NET_RX;
    const tx = delta.softirqs.value.NET_TX;
    if (rx !== undefined && tx !== undefined) softirqRate = (sumPerCpu(rx) + sumPerCpu(tx)) / seconds;
  }
  let cpu: Record<string, CpuSplitPct> | null = null;
  if (delta.stat.ok) {
    cpu = {};
    for (const [id, times] of Object.entries(delta.stat.value.cpus)) {
      const split = cpuSplit(times);
      if (split !== null) cpu[id] = split;
    }
  }
  return { pps: packets === null ? null : packets / seconds, softirqRate, cpu };
}

function cpuSplit(t: CpuTimes): CpuSplitPct | null {
  const user = t.userTicks + t.niceTicks;
  const system = t.systemTicks;
  const softirq = t.softirqTicks ?? 0;
  const irq = t.irqTicks ?? 0;
  const idle = t.idleTicks + (t.iowaitTicks ?? 0);
  const steal = t.stealTicks ?? 0;
  const all = [user, system, softirq, irq, idle, steal].reduce((sum, n) => sum + n, 0);
  if (all <= 0) return null;
  const pct = (n: number): number => (n * 100) / all;
  return { userPct: pct(user), systemPct: pct(system), softirqPct: pct(softirq), irqPct: pct(irq), idlePct: pct(idle), stealPct: pct(steal) };
}
