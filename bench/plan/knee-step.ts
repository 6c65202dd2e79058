/**
 * For a sweep, the step whose measured figures a protocol's plan uses: its knee — the highest offered rate that met
 * the SLO (bench/sweep/knee.ts) — instead of one rate's figures scaled to the target. Pure.
 */
import type { Protocol } from "../protocol.ts";
import type { CompletedScenario, RunResult } from "../result.ts";
import { formatUs } from "../report/format.ts";
import { sweepOf } from "../report/sweep-view.ts";
import { findKnee } from "../sweep/knee.ts";

export interface KneeStep {
  readonly kneeRps: number | null;
  readonly saturationRps: number | null;
  /** Who gave out first at the saturation step; "generator": the protocol's real knee is at least `kneeRps`. */
  readonly limitedBy: "generator" | "server" | null;
  readonly why: string | null;
  /** The step whose scenarios the plan used: the knee, or the highest step below it whose generator kept up. */
  readonly usedRps: number | null;
  /** Why `usedRps` is not the knee, or why no step could be used. */
  readonly reason: string | null;
}

export interface SweepBasis {
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
  return { rates: sweep.rates, sloP99Us: sloP99Us ?? sweep.sloP99Us, sloFrom: sloP99Us === null ? "run" : "--slo-p99", runSloP99Us: sweep.sloP99Us };
}

/**
 * The protocol's knee at the basis's SLO (found again from the run's steps, so --slo-p99 moves it) and the step to
 * plan from. A knee step whose generator saturated is used only with `includeSaturated`; otherwise the highest
 * step below it whose generator kept its schedule — every step below a knee met the SLO too.
 */
export function kneeStep(
  result: RunResult,
  protocol: Protocol,
  basis: SweepBasis,
  measured: readonly CompletedScenario[],
  includeSaturated: boolean,
): { readonly step: KneeStep; readonly scenarios: CompletedScenario[] } {
  const points = sweepOf(result)?.protocols[protocol]?.points ?? [];
  const knee = findKnee(points, basis.sloP99Us);
  const common = { kneeRps: knee.kneeRps, saturationRps: knee.saturationRps, limitedBy: knee.limitedBy, why: knee.why };
  if (knee.kneeRps === null) {
    return { step: { ...common, usedRps: null, reason: `no step met p99 ≤ ${formatUs(basis.sloP99Us)} with ≥ 99% of the offered rate delivered and no errors` }, scenarios: [] };
  }
  const kneeRps = knee.kneeRps;
  const mine = measured.filter((s) => s.protocol === protocol && s.offeredRps <= kneeRps);
  const usable = includeSaturated ? mine : mine.filter((s) => !s.generator.saturated);
  const usedRps = usable.reduce<number | null>((best, s) => (best === null || s.offeredRps > best ? s.offeredRps : best), null);
  if (usedRps === null) {
    const reason =
      mine.length === 0
        ? `no step up to its knee (${kneeRps} req/s) has per-request kernel figures`
        : `every step up to its knee (${kneeRps} req/s) saturated the load generator (pass --include-saturated to use the knee step anyway)`;
    return { step: { ...common, usedRps: null, reason }, scenarios: [] };
  }
  let reason: string | null = null;
  if (usedRps !== kneeRps) {
    reason = mine.some((s) => s.offeredRps === kneeRps) ? "the load generator saturated at the knee step" : "the knee step has no per-request kernel figures";
  }
  return { step: { ...common, usedRps, reason }, scenarios: usable.filter((s) => s.offeredRps === usedRps) };
}

/** Why a protocol of a sweep could not be planned, in one clause. */
export function kneeExclusion(protocol: Protocol, step: KneeStep): string {
  if (step.kneeRps !== null) return step.reason ?? "no usable step";
  const first = step.saturationRps === null ? "" : ` (it failed at ${step.saturationRps} req/s: ${step.why})`;
  const generator =
    step.limitedBy === "generator"
      ? `; the load generator gave out first there, so this run says nothing about ${protocol}'s own capacity — rerun the sweep from a lower --from`
      : "";
  return `${step.reason ?? "no knee"}${first}${generator}`;
}
