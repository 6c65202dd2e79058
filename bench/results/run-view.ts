/**
 * A result read the way reports need it: its series (an arm with one client, series.ts) in the run's order,
 * scenarios by repeat, a metric's values over repeats, and the relative factors against a baseline series. A run
 * with one client has one series per arm, named after it. Pure.
 */
import type { ClientKind, Protocol } from "../../contract/index.ts";
import type { CompletedScenario, RunResult, ScenarioResult } from "./schema.ts";
import { clientOf, runClients, seriesName, seriesOf } from "./series.ts";
import type { Series } from "./series.ts";
import { METRICS, metricValue } from "./metrics.ts";
import type { Metric, MetricId } from "./metrics.ts";
import { pairedRatio, spreadOf } from "./stats.ts";
import type { Spread } from "./stats.ts";

export const DEFAULT_BASELINE_PROTOCOL: Protocol = "http1";

/**
 * The series that have scenarios: the config's protocols in order, each with its clients in `--client` order, then
 * any that only appear in scenarios (a hand-edited result).
 */
export function seriesIn(result: RunResult): Series[] {
  const seen = new Set<Series>();
  for (const s of result.scenarios) seen.add(seriesOf(result, s));
  const clients = runClients(result.config);
  const ordered = result.config.protocols.flatMap((p) => clients.map((c) => seriesName(p, c, clients))).filter((name) => seen.has(name));
  return [...ordered, ...[...seen].filter((name) => !ordered.includes(name))];
}

/** The scenarios of one series, in the run's order. */
export function scenariosOf(result: RunResult, series: Series): ScenarioResult[] {
  return result.scenarios.filter((s) => seriesOf(result, s) === series);
}

/** The arm and the client of a series, from its first scenario. */
export function seriesParts(result: RunResult, series: Series): { readonly protocol: Protocol; readonly client: ClientKind } | null {
  const s = scenariosOf(result, series)[0];
  return s === undefined ? null : { protocol: s.protocol, client: clientOf(result.config, s) };
}

/** Repeat numbers that have at least one scenario, ascending. */
export function repeatsOf(result: RunResult): number[] {
  return [...new Set(result.scenarios.map((s) => s.repeat))].sort((a, b) => a - b);
}

/**
 * How a run measured kernel time: "ebpf" (exact), "tick" (/proc/stat samples; results written before the method was
 * recorded are tick), or "mixed". A kernel figure is never compared across methods: in the reference run's windows
 * the tick figure scattered from 0.08× to 23× the exact one (results/reference/README.md).
 */
export function kernelTimeMethod(r: RunResult): "ebpf" | "tick" | "mixed" {
  const methods = new Set(r.scenarios.filter(isCompleted).map((s) => s.kernelTime?.method ?? "tick"));
  return methods.size === 1 && methods.has("ebpf") ? "ebpf" : methods.has("ebpf") ? "mixed" : "tick";
}

export function isCompleted(s: ScenarioResult): s is CompletedScenario {
  return s.state === "completed";
}

export function scenarioAt(result: RunResult, series: Series, repeat: number): ScenarioResult | undefined {
  return result.scenarios.find((s) => s.repeat === repeat && seriesOf(result, s) === series);
}

export interface Selection {
  /** Drop scenarios whose generator was saturated (plan does; reports keep them, flagged). */
  readonly excludeSaturated?: boolean;
}

export function usable(s: ScenarioResult, selection: Selection = {}): s is CompletedScenario {
  return isCompleted(s) && !(selection.excludeSaturated === true && s.generator.saturated);
}

/** repeat → value of one series' metric; null where the scenario is missing, unusable or lacks the figure. */
export function valuesByRepeat(result: RunResult, series: Series, m: Metric, selection: Selection = {}): Map<number, number | null> {
  const values = new Map<number, number | null>();
  for (const repeat of repeatsOf(result)) {
    const s = scenarioAt(result, series, repeat);
    values.set(repeat, s !== undefined && usable(s, selection) ? metricValue(m, s) : null);
  }
  return values;
}

/** A series' metric over its repeats: mean, SD, range; null when no repeat has it. */
export function seriesSpread(result: RunResult, series: Series, m: Metric, selection: Selection = {}): Spread | null {
  return spreadOf([...valuesByRepeat(result, series, m, selection).values()]);
}

export interface FactorRow {
  readonly metric: MetricId;
  /** Per series other than the baseline: the paired ratio's mean ± SD, null when no pair was usable. */
  readonly factors: ReadonlyMap<Series, Spread | null>;
}

/**
 * Every cost metric of each of `others` (default: every other series of the run) relative to `baseline`, as the
 * mean of per-repeat ratios (see `pairedRatio`).
 */
export function relativeFactors(
  result: RunResult,
  baseline: Series,
  others: readonly Series[] = seriesIn(result).filter((p) => p !== baseline),
): FactorRow[] {
  return METRICS.filter((m) => m.cost).map((m) => {
    const base = valuesByRepeat(result, baseline, m);
    const factors = new Map<Series, Spread | null>();
    for (const p of others) factors.set(p, pairedRatio(valuesByRepeat(result, p, m), base));
    return { metric: m.id, factors };
  });
}

/**
 * The baseline to use: the series asked for when the run has it (null when it does not), else http1 (with the
 * run's first client), else the run's first series. A run with no scenario yet still gets http1, so an
 * early-interrupted run can be reported.
 */
export function chooseBaseline(result: RunResult, asked: Series | undefined): Series | null {
  const series = seriesIn(result);
  if (asked !== undefined) return series.includes(asked) ? asked : null;
  if (series.includes(DEFAULT_BASELINE_PROTOCOL)) return DEFAULT_BASELINE_PROTOCOL;
  return series[0] ?? DEFAULT_BASELINE_PROTOCOL;
}
