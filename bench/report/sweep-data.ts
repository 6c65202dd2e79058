/**
 * A sweep's figures step by step: one row per scenario for the sweep tables, and per protocol and offered rate the
 * points the sweep charts draw, with each protocol's knee marked. Pure; exact-value tested
 * (test/report/report-sweep-data.test.ts).
 */
import type { SaturationKind } from "../load/assess.ts";
import type { CompletedScenario, RunResult, ScenarioResult } from "../results/schema.ts";
import { totalErrors } from "../results/schema.ts";
import { serverDrops, sweepPoint } from "../results/sweep-summary.ts";
import { metric, metricValue } from "../results/metrics.ts";
import { isCompleted, scenariosOf, seriesIn } from "../results/run-view.ts";
import type { Series } from "../results/series.ts";
import { kneeOf, stepOffered } from "../results/sweep-view.ts";

/**
 * Softirq + hard-IRQ time on the server's CPU per request, µs: exact with eBPF, else /proc/stat's softirq + irq
 * ticks; null for a contaminated window (a global figure either way).
 */
export function serverCpuKernelUs(s: CompletedScenario): number | null {
  const cpu = s.cpus?.server;
  if (cpu === null || cpu === undefined || s.contamination?.contaminated === true) return null;
  const attribution = s.perRequest?.cpuAttribution;
  const exact = attribution?.method === "ebpf" ? attribution.perCpu[String(cpu)] : undefined;
  if (exact !== undefined) {
    const parts = [exact.softirqNetRx, exact.softirqNetTx, exact.softirqOther, exact.hardIrq];
    return parts.every((x): x is number => x !== null) ? parts.reduce((a, b) => a + b, 0) : null;
  }
  const split = s.perRequest?.cpuUs.perCpu[String(cpu)];
  return split === undefined ? null : split.softirq + split.irq;
}

export interface SweepStepRow {
  /** The series (series.ts): the arm, or `arm~client`. */
  readonly protocol: Series;
  readonly scenario: string;
  readonly repeat: number;
  /** The step's offered load in the sweep's unit (req/s, or packets/s by pps). */
  readonly offered: number;
  /** The request rate offered: the step's by rps, the calibrated one by pps (unknown when calibration failed). */
  readonly offeredRps: number;
  /** Server-interface packets/s measured in the window: only runs offered by pps record it; null otherwise. */
  readonly measuredPps: number | null;
  readonly state: ScenarioResult["state"];
  readonly achievedRps: number | null;
  readonly p99Us: number | null;
  readonly errors: number | null;
  /** Shares of the server's CPU over the window, % (/proc/stat ticks); null when unmeasured or contaminated. */
  readonly serverSoftirqPct: number | null;
  readonly serverUserPct: number | null;
  readonly drops: number | null;
  readonly packetsPerRequest: number | null;
  readonly cpuServerUs: number | null;
  readonly cpuClientUs: number | null;
  readonly kernelUs: number | null;
  /** Null when the scenario did not complete. */
  readonly generatorSaturated: boolean | null;
  readonly generatorKinds: readonly SaturationKind[];
}

function stepRow(s: ScenarioResult, series: Series, offered: number): SweepStepRow {
  const common = { protocol: series, scenario: s.name, repeat: s.repeat, offered, offeredRps: s.offeredRps, state: s.state };
  if (!isCompleted(s)) {
    return {
      ...common, measuredPps: null, achievedRps: null, p99Us: null, errors: null, serverSoftirqPct: null, serverUserPct: null, drops: null,
      packetsPerRequest: null, cpuServerUs: null, cpuClientUs: null, kernelUs: null, generatorSaturated: null, generatorKinds: [],
    };
  }
  const point = sweepPoint(s, offered);
  const global = s.contamination?.contaminated !== true;
  return {
    ...common,
    measuredPps: point.measuredPps,
    achievedRps: s.achievedRps,
    p99Us: s.latencyUs.p99,
    errors: totalErrors(s.errors),
    serverSoftirqPct: global ? point.serverSoftirqPct : null,
    serverUserPct: global ? point.serverUserPct : null,
    drops: serverDrops(s),
    packetsPerRequest: metricValue(metric("packetsPerRequest"), s),
    cpuServerUs: metricValue(metric("cpuServerUsPerRequest"), s),
    cpuClientUs: metricValue(metric("cpuClientUsPerRequest"), s),
    kernelUs: serverCpuKernelUs(s),
    generatorSaturated: s.generator.saturated,
    generatorKinds: s.generator.saturationKinds ?? [],
  };
}

/** Every scenario of a series as a row, by offered load then repeat. */
export function sweepStepRows(result: RunResult, series: Series): SweepStepRow[] {
  return scenariosOf(result, series)
    .map((s) => stepRow(s, series, stepOffered(result, s)))
    .sort((a, b) => a.offered - b.offered || a.repeat - b.repeat);
}

export type CurveQuantity = "achievedRps" | "measuredPps" | "p99Us" | "cpuServerUs" | "cpuClientUs" | "kernelUs" | "serverSoftirqPct" | "drops";

export interface CurveRow {
  /** The series (series.ts): the arm, or `arm~client`. */
  readonly protocol: Series;
  /** The x position: the step's offered load in the sweep's unit. */
  readonly offered: number;
  /** Which line within a protocol, for charts with several quantities (the CPU split, softirq and drops). */
  readonly series: string;
  readonly value: number;
  /** The protocol's knee step: the chart marks it. */
  readonly knee: boolean;
  /** "knee 2620", or "knee ≥ 2620" when the generator gave out first, so the protocol's knee is at least there. */
  readonly kneeLabel: string;
}

/** A knee's label, in the sweep's unit (the chart's x axis); null without a knee. */
export function kneeLabel(result: RunResult, protocol: Series): string | null {
  const knee = kneeOf(result, protocol);
  if (knee === null || knee.knee === null) return null;
  return `knee ${knee.limitedBy === "generator" ? "≥ " : ""}${knee.knee}`;
}

/**
 * One point per protocol and offered rate: the mean of the quantity over the rate's completed scenarios (repeats),
 * points without the figure left out. `positiveOnly` drops zeros, which a log axis cannot draw.
 */
export function curveRows(result: RunResult, quantity: CurveQuantity, series: string, options: { positiveOnly?: boolean } = {}): CurveRow[] {
  const rows: CurveRow[] = [];
  for (const protocol of seriesIn(result)) {
    const kneeAt = kneeOf(result, protocol)?.knee ?? null;
    const label = kneeLabel(result, protocol) ?? "";
    const byRate = new Map<number, number[]>();
    for (const r of sweepStepRows(result, protocol)) {
      const value = r[quantity];
      if (value === null || !Number.isFinite(value) || (options.positiveOnly === true && value <= 0)) continue;
      byRate.set(r.offered, [...(byRate.get(r.offered) ?? []), value]);
    }
    for (const [offered, values] of byRate) {
      rows.push({ protocol, offered, series, value: values.reduce((a, b) => a + b, 0) / values.length, knee: offered === kneeAt, kneeLabel: label });
    }
  }
  return rows;
}
