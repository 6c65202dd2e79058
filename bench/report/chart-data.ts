/**
 * The rows each chart plots, taken out of a result. Pure: charts are specs over these rows, so what a chart shows
 * can be tested without rendering it.
 */
import { decodeHistogram } from "../load/histogram.ts";
import type { Histogram } from "../load/histogram.ts";
import type { CostFigures, CpuTimeUs } from "../collector/index.ts";
import { ATTRIBUTION_FIELDS } from "../collector/ebpf/attribution.ts";
import type { CompletedScenario, RunResult } from "../results/schema.ts";
import { metric } from "../results/metrics.ts";
import { isCompleted, scenariosOf, seriesIn } from "../results/run-view.ts";
import { seriesOf } from "../results/series.ts";
import type { Series } from "../results/series.ts";
import { spreadOf } from "../results/stats.ts";

/** Every row's `protocol` is its series (series.ts): the arm, or `arm~client` for a run's later `--client`. */
export interface PacketRow {
  readonly protocol: Series;
  /** The bar within a protocol's group: interface packets, or TCP segments. */
  readonly series: string;
  /** The stacked part: which direction. */
  readonly part: string;
  /** Stack position, bottom first. */
  readonly order: number;
  readonly value: number;
}

type Direction = NonNullable<CostFigures["direction"]>;

function meanOf(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Per protocol, two stacked bars (means over completed scenarios): server interface packets split into rx
 * (arriving requests) and tx (leaving responses), and TCP segments split into InSegs and OutSegs. Results made
 * before the split existed, and loopback runs (where lo counts each packet both ways), get one unsplit part.
 */
export function packetRows(result: RunResult): PacketRow[] {
  const parts: readonly [series: string, part: string, read: (d: Direction) => number | null][] = [
    ["interface packets", "rx (requests in)", (d) => d.packetsRx],
    ["interface packets", "tx (responses out)", (d) => d.packetsTx],
    ["TCP segments", "InSegs", (d) => d.tcpInSegs],
    ["TCP segments", "OutSegs", (d) => d.tcpOutSegs],
  ];
  return seriesIn(result).flatMap((protocol) => {
    const done = scenariosOf(result, protocol).filter(isCompleted);
    const directions = done.map((s) => s.perRequest?.direction).filter((d): d is Direction => d !== undefined);
    const split = directions.length === done.length && directions.length > 0 && directions.every((d) => parts.every(([, , read]) => read(d) !== null));
    if (split) {
      return parts.map(([series, part, read], order) => ({ protocol, series, part, order, value: meanOf(directions.map((d) => read(d) ?? 0)) ?? 0 }));
    }
    const packets = meanOf(done.map((s) => s.perRequest?.packets).filter((v): v is number => typeof v === "number"));
    const segments = meanOf(done.map((s) => s.perRequest?.tcpSegments).filter((v): v is number => typeof v === "number"));
    const rows: PacketRow[] = [];
    if (packets !== null) rows.push({ protocol, series: "interface packets", part: "rx + tx (no split recorded)", order: 4, value: packets });
    if (segments !== null) rows.push({ protocol, series: "TCP segments", part: "in + out (no split recorded)", order: 5, value: segments });
    return rows;
  });
}

/** The per-CPU figures that split a CPU's busy time (collector/figures-cpu.ts `CPU_TIME`); `busy` is their sum. */
export const CPU_PARTS = ["user", "system", "softirq", "irq"] as const satisfies readonly (keyof CpuTimeUs)[];
export interface CpuRow {
  readonly protocol: Series;
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
 * which overlap without IRQ time accounting (docs/kernel-notes.md § "IRQ time accounting").
 */
export function cpuRows(result: RunResult): CpuRow[] {
  const rows: CpuRow[] = [];
  for (const protocol of seriesIn(result)) {
    const scenarios = scenariosOf(result, protocol).filter((s): s is CompletedScenario => isCompleted(s) && clean(s));
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

/** The attribution's fields a chart stacks: every field but idle (per request, idle is only 1 ÷ rate less the rest). */
export const ATTRIBUTION_PARTS = ATTRIBUTION_FIELDS.filter((f) => f !== "idle");

export interface AttributionRow {
  readonly protocol: Series;
  readonly side: string;
  readonly part: (typeof ATTRIBUTION_FIELDS)[number];
  /** Stack position, the fields' order from the bottom. */
  readonly order: number;
  readonly us: number;
}

/**
 * Exact µs per request on the server's CPU and on the client's, by where it went (eBPF, cpuAttribution): the fields
 * do not overlap, so they stack to the CPU's busy time per request. Scenarios measured by the tick method have no
 * rows here: their softirq is inside the processes' time.
 */
export function attributionRows(result: RunResult): AttributionRow[] {
  const rows: AttributionRow[] = [];
  for (const protocol of seriesIn(result)) {
    const scenarios = scenariosOf(result, protocol).filter(
      (s): s is CompletedScenario => isCompleted(s) && clean(s) && s.perRequest?.cpuAttribution?.method === "ebpf",
    );
    for (const role of ["server", "client"] as const) {
      const cpuOf = (s: CompletedScenario): number | null => s.cpus?.[role] ?? null;
      const first = scenarios.map(cpuOf).find((c) => c !== null);
      if (first === undefined || first === null) continue;
      for (const [order, part] of ATTRIBUTION_PARTS.entries()) {
        const spread = spreadOf(scenarios.map((s) => s.perRequest?.cpuAttribution?.perCpu[String(cpuOf(s))]?.[part]));
        if (spread !== null) rows.push({ protocol, side: `${role} CPU ${first}`, part, order, us: spread.mean });
      }
    }
  }
  return rows;
}

export interface LatencyRow { readonly protocol: Series; readonly percentile: number; readonly nines: number; readonly latencyUs: number }

const PERCENTILES = [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999];

/**
 * Percentile curves from the HDR histograms, repeats merged per protocol (HdrHistogram `add` is exact). The x value
 * is 1 / (1 − q), the usual log axis of HDR plots; percentiles finer than 1 / count are not resolved and are left out,
 * and the max is drawn at x = count.
 */
export function latencyRows(result: RunResult): LatencyRow[] {
  const rows: LatencyRow[] = [];
  for (const protocol of seriesIn(result)) {
    let merged: Histogram | null = null;
    for (const s of scenariosOf(result, protocol)) {
      if (!isCompleted(s) || s.latencyUs.count === 0) continue;
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

export interface SeriesRow { readonly scenario: string; readonly protocol: Series; readonly repeat: number; readonly tS: number; readonly value: number; readonly side?: string }

/** One time-series quantity per point, for every completed scenario (system-wide ones only from clean windows). */
export function seriesRows(result: RunResult, quantity: "pps" | "softirqRate" | "cpuBusyPct"): SeriesRow[] {
  const rows: SeriesRow[] = [];
  for (const s of result.scenarios) {
    if (!isCompleted(s) || s.timeSeries === undefined) continue;
    if (quantity !== "pps" && !clean(s)) continue;
    const base = { scenario: s.name, protocol: seriesOf(result, s), repeat: s.repeat };
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
