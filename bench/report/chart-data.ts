/**
 * The rows each chart plots, taken out of a result. Pure: charts are specs over these rows, so what a chart shows
 * can be tested without rendering it.
 */
import { decodeHistogram } from "../load/histogram.ts";
import type { Histogram } from "../load/histogram.ts";
import type { Protocol } from "../protocol.ts";
import type { CompletedScenario, RunResult } from "../result.ts";
import { metric } from "./metrics.ts";
import { isCompleted, protocolSpread, protocolsOf } from "./run-view.ts";
import { spreadOf } from "./stats.ts";

export interface PacketRow { readonly protocol: Protocol; readonly series: string; readonly value: number; readonly sd: number }

/**
 * Interface packets and TCP segments per request side by side (means over repeats). The rx/tx split the issue asks
 * for is not in result.json: CostFigures.packets is rx + tx already summed.
 */
export function packetRows(result: RunResult): PacketRow[] {
  const series = [
    ["interface packets", metric("packetsPerRequest")],
    ["TCP segments", metric("tcpSegmentsPerRequest")],
  ] as const;
  return protocolsOf(result).flatMap((protocol) =>
    series.flatMap(([name, m]) => {
      const s = protocolSpread(result, protocol, m);
      return s === null ? [] : [{ protocol, series: name, value: s.mean, sd: s.sd ?? 0 }];
    }),
  );
}

export const CPU_PARTS = ["user", "system", "softirq", "irq"] as const;
export interface CpuRow {
  readonly protocol: Protocol;
  readonly side: string;
  readonly part: (typeof CPU_PARTS)[number];
  /** Stack position: user at the bottom, irq on top. */
  readonly order: number;
  readonly us: number;
}

/** A window whose system-wide counters are the run's own (see metrics.ts `global`). */
function clean(s: CompletedScenario): boolean {
  return s.contamination?.contaminated !== true;
}

/**
 * /proc/stat time per request on the server's CPU and on the client's, split user/system/softirq/irq. Stacking is
 * sound here because each tick lands in exactly one of those buckets of one CPU — unlike process CPU plus softirq,
 * which overlap without IRQ time accounting (KERNEL-NOTES.md).
 */
export function cpuRows(result: RunResult): CpuRow[] {
  const rows: CpuRow[] = [];
  for (const protocol of protocolsOf(result)) {
    const scenarios = result.scenarios.filter((s): s is CompletedScenario => s.protocol === protocol && isCompleted(s) && clean(s));
    for (const role of ["server", "client"] as const) {
      const cpuOf = (s: CompletedScenario): number | null => s.cpus?.[role] ?? null;
      const first = scenarios.map(cpuOf).find((c) => c !== null);
      if (first === undefined || first === null) continue;
      for (const [order, part] of CPU_PARTS.entries()) {
        const spread = spreadOf(scenarios.map((s) => s.perRequest?.cpuUs.perCpu[String(cpuOf(s))]?.[part]));
        if (spread !== null) rows.push({ protocol, side: `${role} CPU ${first}`, part, order, us: spread.mean });
      }
    }
  }
  return rows;
}

export interface LatencyRow { readonly protocol: Protocol; readonly percentile: number; readonly nines: number; readonly latencyUs: number }

const PERCENTILES = [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999];

/**
 * Percentile curves from the HDR histograms, repeats merged per protocol (HdrHistogram `add` is exact). The x value
 * is 1 / (1 − q), the usual log axis of HDR plots; percentiles finer than 1 / count are not resolved and are left out,
 * and the max is drawn at x = count.
 */
export function latencyRows(result: RunResult): LatencyRow[] {
  const rows: LatencyRow[] = [];
  for (const protocol of protocolsOf(result)) {
    let merged: Histogram | null = null;
    for (const s of result.scenarios) {
      if (s.protocol !== protocol || !isCompleted(s) || s.latencyUs.count === 0) continue;
      const h = decodeHistogram(s.histograms.latency);
      if (merged === null) merged = h;
      else {
        merged.add(h);
        h.destroy();
      }
    }
    if (merged === null) continue;
    const count = merged.totalCount;
    for (const p of PERCENTILES) {
      const nines = 1 / (1 - p / 100);
      if (nines <= count) rows.push({ protocol, percentile: p, nines, latencyUs: merged.getValueAtPercentile(p) });
    }
    rows.push({ protocol, percentile: 100, nines: count, latencyUs: merged.maxValue });
    merged.destroy();
  }
  return rows;
}

export interface SeriesRow { readonly scenario: string; readonly protocol: Protocol; readonly repeat: number; readonly tS: number; readonly value: number; readonly side?: string }

/** One time-series quantity per point, for every completed scenario (system-wide ones only from clean windows). */
export function seriesRows(result: RunResult, quantity: "pps" | "softirqRate" | "cpuBusyPct"): SeriesRow[] {
  const rows: SeriesRow[] = [];
  for (const s of result.scenarios) {
    if (!isCompleted(s) || s.timeSeries === undefined) continue;
    if (quantity !== "pps" && !clean(s)) continue;
    const base = { scenario: s.name, protocol: s.protocol, repeat: s.repeat };
    for (const point of s.timeSeries) {
      const tS = Math.round(point.tMs) / 1000;
      if (quantity === "cpuBusyPct") {
        for (const role of ["server", "client"] as const) {
          const cpu = s.cpus?.[role];
          const split = cpu === null || cpu === undefined ? undefined : point.cpu?.[String(cpu)];
          if (split !== undefined) rows.push({ ...base, tS, value: 100 - split.idlePct - split.stealPct, side: `${role} CPU ${cpu}` });
        }
      } else {
        const value = point[quantity];
        if (value !== null) rows.push({ ...base, tS, value });
      }
    }
  }
  return rows;
}
