/**
 * For a sweep, the step whose measured figures a protocol's plan uses: its knee — the highest offered rate that met
 * the SLO (bench/sweep/knee.ts) — instead of one rate's figures scaled to the target. Steps are chosen in the
 * sweep's unit (req/s, or packets/s for a sweep by pps); the plan itself stays in req/s: per-request figures
 * scaled to the target request rate, with each step's (calibrated) request rate beside its load. Pure.
 */
import { seriesOf } from "../results/series.ts";
import type { Series } from "../results/series.ts";
import type { CompletedScenario, RunResult } from "../results/schema.ts";
import { formatUs } from "../results/format.ts";
import { formatLoad } from "../sweep/plan.ts";
import { stepOffered, sweepOf } from "../results/sweep-view.ts";
import { findKnee } from "../sweep/knee.ts";
import type { Knee } from "../sweep/knee.ts";
import type { SweepUnit } from "../sweep/plan.ts";

/** A protocol's knee as bench/sweep/knee.ts found it, and the step whose figures the plan used. */
export interface KneeStep extends Pick<Knee, "unit" | "knee" | "saturation" | "kneeRps" | "saturationRps" | "limitedBy" | "why"> {
  /** The step whose scenarios the plan used, in the sweep's unit: the knee, or the highest step below it whose generator kept up. */
  readonly used: number | null;
  /** The request rate offered at that step (by pps: calibrated, the lowest of the scenarios used). */
  readonly usedRps: number | null;
  /** Why `usedRps` is not the knee, or why no step could be used. */
  readonly reason: string | null;
}

export interface SweepBasis {
  /** What `rates` count: req/s, or packets/s for a sweep by pps. */
  readonly unit: SweepUnit;
  readonly rates: readonly number[];
  /** The SLO the knees are found at: --slo-p99 when given, else the run's. */
  readonly sloP99Us: number;
  readonly sloFrom: "run" | "--slo-p99";
  readonly runSloP99Us: number;
}

/** The sweep a plan works from, or null for a single-rate run. */
export function sweepBasis(result: RunResult, sloP99Us: number | null): SweepBasis | null {
  const sweep = sweepOf(result);
  if (sweep === null) return null;
  return { unit: sweep.unit, rates: sweep.rates, sloP99Us: sloP99Us ?? sweep.sloP99Us, sloFrom: sloP99Us === null ? "run" : "--slo-p99", runSloP99Us: sweep.sloP99Us };
}

/**
 * The protocol's knee at the basis's SLO (found again from the run's steps, so --slo-p99 moves it) and the step to
 * plan from. A knee step whose generator saturated is used only with `includeSaturated`; otherwise the highest
 * step below it whose generator kept its schedule — every step below a knee met the SLO too.
 */
export function kneeStep(
  result: RunResult,
  protocol: Series,
  basis: SweepBasis,
  measured: readonly CompletedScenario[],
  includeSaturated: boolean,
): { readonly step: KneeStep; readonly scenarios: CompletedScenario[] } {
  const points = sweepOf(result)?.protocols[protocol]?.points ?? [];
  const knee = findKnee(points, basis.sloP99Us, basis.unit);
  const common = { unit: basis.unit, knee: knee.knee, saturation: knee.saturation, kneeRps: knee.kneeRps, saturationRps: knee.saturationRps, limitedBy: knee.limitedBy, why: knee.why };
  const at = (n: number): string => formatLoad(basis.unit, n);
  if (knee.knee === null) {
    return { step: { ...common, used: null, usedRps: null, reason: `no step met p99 ≤ ${formatUs(basis.sloP99Us)} with ≥ 99% of the offered rate delivered and no errors` }, scenarios: [] };
  }
  const kneeAt = knee.knee;
  const offered = (s: CompletedScenario): number => stepOffered(result, s);
  const mine = measured.filter((s) => seriesOf(result, s) === protocol && offered(s) <= kneeAt);
  const usable = includeSaturated ? mine : mine.filter((s) => !s.generator.saturated);
  const used = usable.reduce<number | null>((best, s) => (best === null || offered(s) > best ? offered(s) : best), null);
  if (used === null) {
    const reason =
      mine.length === 0
        ? `no step up to its knee (${at(kneeAt)}) has per-request kernel figures`
        : `every step up to its knee (${at(kneeAt)}) saturated the load generator (pass --include-saturated to use the knee step anyway)`;
    return { step: { ...common, used: null, usedRps: null, reason }, scenarios: [] };
  }
  let reason: string | null = null;
  if (used !== kneeAt) {
    reason = mine.some((s) => offered(s) === kneeAt) ? "the load generator saturated at the knee step" : "the knee step has no per-request kernel figures";
  }
  const scenarios = usable.filter((s) => offered(s) === used);
  const usedRps = Math.min(...scenarios.map((s) => s.offeredRps));
  return { step: { ...common, used, usedRps, reason }, scenarios };
}

/** Why a protocol of a sweep could not be planned, in one clause. */
export function kneeExclusion(protocol: Series, step: KneeStep): string {
  if (step.knee !== null) return step.reason ?? "no usable step";
  const first = step.saturation === null ? "" : ` (it failed at ${formatLoad(step.unit, step.saturation, step.saturationRps)}: ${step.why})`;
  const generator =
    step.limitedBy === "generator"
      ? `; the load generator gave out first there, so this run says nothing about ${protocol}'s own capacity — rerun the sweep from a lower --from`
      : "";
  return `${step.reason ?? "no knee"}${first}${generator}`;
}
