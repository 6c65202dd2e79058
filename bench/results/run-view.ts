/**
 * A result read the way reports need it: protocols in the run's order, scenarios by repeat, a metric's values over
 * repeats, and the relative factors against a baseline protocol. Pure.
 */
import type { Protocol } from "../../contract/index.ts";
import type { CompletedScenario, RunResult, ScenarioResult } from "./schema.ts";
import { METRICS, metricValue } from "./metrics.ts";
import type { Metric, MetricId } from "./metrics.ts";
import { pairedRatio, spreadOf } from "./stats.ts";
import type { Spread } from "./stats.ts";

export const DEFAULT_BASELINE_PROTOCOL: Protocol = "http1";

/** Protocols in the config's order, then any that only appear in scenarios (a hand-edited result). */
export function protocolsOf(result: RunResult): Protocol[] {
  const seen = new Set<Protocol>();
  for (const s of result.scenarios) seen.add(s.protocol);
  const ordered = result.config.protocols.filter((p) => seen.has(p));
  return [...ordered, ...[...seen].filter((p) => !ordered.includes(p))];
}

/** Repeat numbers that have at least one scenario, ascending. */
export function repeatsOf(result: RunResult): number[] {
  return [...new Set(result.scenarios.map((s) => s.repeat))].sort((a, b) => a - b);
}

export function isCompleted(s: ScenarioResult): s is CompletedScenario {
  return s.state === "completed";
}

export function scenarioAt(result: RunResult, protocol: Protocol, repeat: number): ScenarioResult | undefined {
  return result.scenarios.find((s) => s.protocol === protocol && s.repeat === repeat);
}

export interface Selection {
  /** Drop scenarios whose generator was saturated (plan does; reports keep them, flagged). */
  readonly excludeSaturated?: boolean;
}

export function usable(s: ScenarioResult, selection: Selection = {}): s is CompletedScenario {
  return isCompleted(s) && !(selection.excludeSaturated === true && s.generator.saturated);
}

/** repeat → value of one protocol's metric; null where the scenario is missing, unusable or lacks the figure. */
export function valuesByRepeat(result: RunResult, protocol: Protocol, m: Metric, selection: Selection = {}): Map<number, number | null> {
  const values = new Map<number, number | null>();
  for (const repeat of repeatsOf(result)) {
    const s = scenarioAt(result, protocol, repeat);
    values.set(repeat, s !== undefined && usable(s, selection) ? metricValue(m, s) : null);
  }
  return values;
}

/** A protocol's metric over its repeats: mean, SD, range; null when no repeat has it. */
export function protocolSpread(result: RunResult, protocol: Protocol, m: Metric, selection: Selection = {}): Spread | null {
  return spreadOf([...valuesByRepeat(result, protocol, m, selection).values()]);
}

export interface FactorRow {
  readonly metric: MetricId;
  /** Per protocol other than the baseline: the paired ratio's mean ± SD, null when no pair was usable. */
  readonly factors: ReadonlyMap<Protocol, Spread | null>;
}

/**
 * Every cost metric of every protocol relative to `baseline`, as the mean of per-repeat ratios (see `pairedRatio`).
 */
export function relativeFactors(result: RunResult, baseline: Protocol): FactorRow[] {
  const others = protocolsOf(result).filter((p) => p !== baseline);
  return METRICS.filter((m) => m.cost).map((m) => {
    const base = valuesByRepeat(result, baseline, m);
    const factors = new Map<Protocol, Spread | null>();
    for (const p of others) factors.set(p, pairedRatio(valuesByRepeat(result, p, m), base));
    return { metric: m.id, factors };
  });
}

/**
 * The baseline to use: the one asked for when the run has it (null when it does not), else http1, else the run's
 * first protocol. A run with no scenario yet still gets http1, so an early-interrupted run can be reported.
 */
export function chooseBaseline(result: RunResult, asked: Protocol | undefined): Protocol | null {
  const protocols = protocolsOf(result);
  if (asked !== undefined) return protocols.includes(asked) ? asked : null;
  if (protocols.includes(DEFAULT_BASELINE_PROTOCOL)) return DEFAULT_BASELINE_PROTOCOL;
  return protocols[0] ?? DEFAULT_BASELINE_PROTOCOL;
}
