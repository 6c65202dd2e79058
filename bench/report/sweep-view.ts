/**
 * A sweep seen one offered rate at a time. Tables and factors that put protocols side by side must compare them at
 * one rate (per-request softirq runs and CPU fall as load rises and batching grows, KERNEL-NOTES.md), so a sweep's
 * side-by-side figures are taken at one chosen step, and this file chooses it. Pure.
 */
import type { Protocol } from "../protocol.ts";
import type { RunResult } from "../result.ts";
import type { SweepConfig } from "../config.ts";
import type { Knee } from "../sweep/knee.ts";
import type { SweepSummary } from "../sweep/summary.ts";
import { isCompleted, protocolsOf } from "./run-view.ts";

/** How the comparison rate was chosen, most to least preferred. */
export type ComparisonBasis =
  /** The highest step at which every protocol completed at or below its knee. */
  | "within-knees"
  /** No step had every protocol within its knee: the lowest step at which every protocol completed. */
  | "lowest-completed"
  /** Not even that: the lowest step. */
  | "lowest";

export interface ComparisonStep {
  readonly offeredRps: number;
  readonly basis: ComparisonBasis;
  /** Protocols with no knee at all (no step met the SLO), for the report's explanation. */
  readonly withoutKnee: readonly Protocol[];
}

/** The run's sweep; null for a single-rate run, results written before sweeps existed (no `sweep` key) included. */
export function sweepOf(result: RunResult): SweepSummary | null {
  return result.sweep ?? null;
}

/** The sweep's configuration; null as for `sweepOf`. */
export function sweepConfigOf(result: RunResult): SweepConfig | null {
  return result.config.sweep ?? null;
}

/** Scenarios a sweep did not run; older results have no such list. */
export function skippedOf(result: RunResult): RunResult["skipped"] {
  return result.skipped ?? [];
}

/** The distinct offered rates of a run's scenarios, ascending. */
export function offeredRates(result: RunResult): number[] {
  return [...new Set(result.scenarios.map((s) => s.offeredRps))].sort((a, b) => a - b);
}

/** A protocol's knee as the run recorded it; null when the run is not a sweep or has no step of the protocol. */
export function kneeOf(result: RunResult, protocol: Protocol): Knee | null {
  return sweepOf(result)?.protocols[protocol]?.knee ?? null;
}

function completedAt(result: RunResult, protocol: Protocol, offeredRps: number): boolean {
  return result.scenarios.some((s) => s.protocol === protocol && s.offeredRps === offeredRps && isCompleted(s));
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
  const protocols = protocolsOf(result);
  const first = rates[0];
  if (first === undefined) return null;
  const withoutKnee = protocols.filter((p) => (kneeOf(result, p)?.kneeRps ?? null) === null);
  const allCompleted = rates.filter((r) => protocols.every((p) => completedAt(result, p, r)));
  const withinKnees = allCompleted.filter((r) => protocols.every((p) => r <= (kneeOf(result, p)?.kneeRps ?? Number.NEGATIVE_INFINITY)));
  const highestWithin = withinKnees.at(-1);
  if (highestWithin !== undefined) return { offeredRps: highestWithin, basis: "within-knees", withoutKnee };
  const lowestCompleted = allCompleted[0];
  if (lowestCompleted !== undefined) return { offeredRps: lowestCompleted, basis: "lowest-completed", withoutKnee };
  return { offeredRps: first, basis: "lowest", withoutKnee };
}

/**
 * The run cut down to one offered rate, as a single-rate run of that rate: the existing per-request tables,
 * factors and charts then work on it unchanged.
 */
export function atOfferedRate(result: RunResult, offeredRps: number): RunResult {
  return { ...result, config: { ...result.config, rps: offeredRps }, scenarios: result.scenarios.filter((s) => s.offeredRps === offeredRps) };
}

/** What the side-by-side parts of the report show: the whole run, or a sweep at its comparison step. */
export function sideBySideView(result: RunResult): RunResult {
  const step = comparisonStep(result);
  return step === null ? result : atOfferedRate(result, step.offeredRps);
}
