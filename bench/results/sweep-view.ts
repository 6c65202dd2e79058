/**
 * A sweep seen one offered rate at a time. Tables and factors that put protocols side by side must compare them at
 * one rate (per-request softirq runs and CPU fall as load rises and batching grows,
 * docs/kernel-notes.md § "Softirq counts are runs, not packets"), so a sweep's side-by-side figures are taken at one
 * chosen step, and this file chooses it. Pure.
 */
import type { RunResult } from "./schema.ts";
import type { SweepConfig } from "../config/config.ts";
import type { Knee, SweepPoint } from "../sweep/knee.ts";
import type { SweepUnit } from "../sweep/plan.ts";
import { offeredLoad } from "./sweep-summary.ts";
import type { SweepSummary } from "./schema.ts";
import type { ScenarioResult } from "./schema.ts";
import { isCompleted, seriesIn } from "./run-view.ts";
import { seriesOf } from "./series.ts";
import type { Series } from "./series.ts";

/** How the comparison rate was chosen, most to least preferred. */
export type ComparisonBasis =
  /** The highest step at which every protocol completed at or below its knee. */
  | "within-knees"
  /** No step had every protocol within its knee: the lowest step at which every protocol completed. */
  | "lowest-completed"
  /** Not even that: the lowest step. */
  | "lowest";

export interface ComparisonStep {
  /** The step's offered load, in `unit`. */
  readonly offered: number;
  readonly unit: SweepUnit;
  readonly basis: ComparisonBasis;
  /** Series with no knee at all (no step met the SLO), for the report's explanation. */
  readonly withoutKnee: readonly Series[];
}

/**
 * What a result written before sweeps by pps holds: the fields added then are optional. A current value is one too,
 * so the readers below take `Stored<…>` and fill in what is absent.
 */
type Stored<T> = Omit<T, "unit" | "knee" | "saturation" | "offered" | "measuredPps" | "by"> & Partial<T>;

/** A knee written before sweeps by pps: it was by rps, so its loads are its request rates. */
function storedKnee(k: Stored<Knee>): Knee {
  return { ...k, unit: k.unit ?? "rps", knee: k.knee === undefined ? k.kneeRps : k.knee, saturation: k.saturation === undefined ? k.saturationRps : k.saturation };
}

function storedPoint(p: Stored<SweepPoint>): SweepPoint {
  return { ...p, offered: p.offered ?? p.offeredRps, measuredPps: p.measuredPps ?? null };
}

/**
 * The run's sweep; null for a single-rate run, results written before sweeps existed (no `sweep` key) included.
 * Sweeps written before `--by pps` existed have no unit, and their points and knees no load in it: they were by
 * rps, so the request rates are filled in.
 */
export function sweepOf(result: RunResult): SweepSummary | null {
  const sweep = result.sweep ?? null;
  if (sweep === null) return null;
  const stored: Stored<SweepSummary> = sweep;
  if (stored.unit !== undefined) return sweep;
  return {
    ...sweep,
    unit: "rps",
    protocols: Object.fromEntries(
      Object.entries(sweep.protocols).map(([p, e]) => [p, e === undefined ? e : { points: e.points.map(storedPoint), knee: storedKnee(e.knee) }]),
    ),
  };
}

/** The sweep's configuration; null as for `sweepOf`. Older results' sweeps were by rps. */
export function sweepConfigOf(result: RunResult): SweepConfig | null {
  const c: Stored<SweepConfig> | null = result.config.sweep ?? null;
  return c === null ? null : { ...c, by: c.by ?? "rps" };
}

/** What the run's sweep steps count; "rps" for a run that is not a sweep. */
export function sweepUnit(result: RunResult): SweepUnit {
  return sweepOf(result)?.unit ?? "rps";
}

/** The scenario's offered load in the sweep's unit (its step's rate); its request rate outside a sweep. */
export function stepOffered(result: RunResult, s: ScenarioResult): number {
  const sweep = sweepOf(result);
  return sweep === null ? s.offeredRps : offeredLoad(s, sweep.unit, sweep.rates);
}

/** Scenarios a sweep did not run; older results have no such list. */
export function skippedOf(result: RunResult): RunResult["skipped"] {
  return result.skipped ?? [];
}

/** The distinct offered loads of a run's scenarios (in the sweep's unit), ascending. */
export function offeredRates(result: RunResult): number[] {
  return [...new Set(result.scenarios.map((s) => stepOffered(result, s)))].sort((a, b) => a - b);
}

/** A series' knee as the run recorded it; null when the run is not a sweep or has no step of the series. */
export function kneeOf(result: RunResult, series: Series): Knee | null {
  return sweepOf(result)?.protocols[series]?.knee ?? null;
}

function completedAt(result: RunResult, series: Series, offered: number): boolean {
  return result.scenarios.some((s) => stepOffered(result, s) === offered && isCompleted(s) && seriesOf(result, s) === series);
}

/**
 * The one rate a sweep's side-by-side tables, factors and per-rate charts use: the highest step every protocol
 * completed within its knee — the highest load at which all of them still met the SLO, so no column is a protocol
 * past saturation. When no step qualifies, the lowest step every protocol completed, the least distorted by
 * saturation. Null for a run that is not a sweep.
 */
export function comparisonStep(result: RunResult): ComparisonStep | null {
  if (sweepOf(result) === null) return null;
  const rates = offeredRates(result);
  const series = seriesIn(result);
  const first = rates[0];
  if (first === undefined) return null;
  const unit = sweepUnit(result);
  const withoutKnee = series.filter((p) => (kneeOf(result, p)?.knee ?? null) === null);
  const allCompleted = rates.filter((r) => series.every((p) => completedAt(result, p, r)));
  const withinKnees = allCompleted.filter((r) => series.every((p) => r <= (kneeOf(result, p)?.knee ?? Number.NEGATIVE_INFINITY)));
  const highestWithin = withinKnees.at(-1);
  if (highestWithin !== undefined) return { offered: highestWithin, unit, basis: "within-knees", withoutKnee };
  const lowestCompleted = allCompleted[0];
  if (lowestCompleted !== undefined) return { offered: lowestCompleted, unit, basis: "lowest-completed", withoutKnee };
  return { offered: first, unit, basis: "lowest", withoutKnee };
}

/**
 * The run cut down to one offered load (in the sweep's unit), as a single-rate run of that rate (by pps: of that
 * packet rate): the existing per-request tables, factors and charts then work on it unchanged.
 */
export function atOfferedRate(result: RunResult, offered: number): RunResult {
  const config = sweepUnit(result) === "pps" ? { ...result.config, pps: offered } : { ...result.config, rps: offered };
  return { ...result, config, scenarios: result.scenarios.filter((s) => stepOffered(result, s) === offered) };
}

/** What the side-by-side parts of the report show: the whole run, or a sweep at its comparison step. */
export function sideBySideView(result: RunResult): RunResult {
  const step = comparisonStep(result);
  return step === null ? result : atOfferedRate(result, step.offered);
}
