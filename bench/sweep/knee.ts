/**
 * Knee and saturation per protocol, from a sweep's steps, and the livelock signature: kernel time rising while
 * delivered throughput falls (Mogul & Ramakrishnan 1997; docs/kernel-notes.md § "Receive livelock"). Steps are
 * ordered and named in the sweep's unit; whether a step kept up is judged on requests (achieved against the request
 * rate offered), which a sweep by pps offers too, calibrated. Pure.
 */
import type { SweepUnit } from "./plan.ts";

export interface SweepPoint {
  /** The step's offered load in the sweep's unit: req/s, or server-interface packets/s for a sweep by pps. */
  readonly offered: number;
  /** The request rate the generator offered: the step's rate by rps, the calibrated rate by pps. */
  readonly offeredRps: number;
  /** Server-interface packets/s measured over the window; null when not measured. */
  readonly measuredPps: number | null;
  readonly achievedRps: number;
  /** Null when the scenario did not complete. */
  readonly latencyP99Us: number | null;
  readonly errors: number;
  readonly requests: number;
  /** The generator could not hold its schedule (its own limit, not the server's). */
  readonly generatorSaturated: boolean;
  readonly generatorReasons: readonly string[];
  /** Server CPU's softirq share and user share over the window, % (null when not measured). */
  readonly serverSoftirqPct: number | null;
  readonly serverUserPct: number | null;
  /** Listen-queue, backlog and receive-buffer drops in the window (null when not measured). */
  readonly drops: number | null;
}

export interface Knee {
  /** What `knee`, `saturation` and `livelockSteps` count. */
  readonly unit: SweepUnit;
  /** The highest offered load that met the SLO with achieved ≥ 99% of offered and no errors; null if none did. */
  readonly knee: number | null;
  /** The first offered load past saturation (achieved < 99% of offered, errors, or SLO broken); null if none. */
  readonly saturation: number | null;
  /**
   * The request rate offered at the knee step: `knee` itself by rps; by pps the calibrated rate, the lowest over
   * the step's repeats that met the SLO (what the server surely carried). Null without a knee.
   */
  readonly kneeRps: number | null;
  /** The request rate offered at the saturation step (by pps: the lowest over its repeats); null if none. */
  readonly saturationRps: number | null;
  /** Who gave out first at the saturation step: the generator (its lateness/cpu) or the system under test. */
  readonly limitedBy: "generator" | "server" | null;
  readonly why: string | null;
  /** Offered loads (sweep's unit) where kernel (softirq) time rose while delivered throughput fell from the step before. */
  readonly livelockSteps: readonly number[];
}

export const KNEE_ACHIEVED_SHARE = 0.99;

/** A rise of the server CPU's softirq share smaller than this, in points, is a window's noise, not the kernel taking the CPU. */
export const LIVELOCK_MIN_RISE_POINTS = 5;
/** A fall of delivered throughput smaller than this share of the step before is noise too. */
export const LIVELOCK_MIN_FALL_SHARE = 0.05;

/**
 * The steps whose mean softirq share rose by LIVELOCK_MIN_RISE_POINTS or more over the step before while their mean
 * delivered throughput fell by LIVELOCK_MIN_FALL_SHARE or more. Step against step, each the mean of its repeats: two
 * repeats of one step are not a rise and a fall (the nginx sweep of results/reference/livelock/ had a step named for
 * its own repeats), nor are a VM's few points of noise.
 */
function livelockSteps(sorted: readonly SweepPoint[]): number[] {
  const steps: { offered: number; achieved: number; softirq: number | null }[] = [];
  for (const offered of [...new Set(sorted.map((p) => p.offered))]) {
    // Completed repeats only: a failed one counts 0 req/s and no share, which would make any step a fall.
    const at = sorted.filter((p) => p.offered === offered && p.latencyP99Us !== null);
    if (at.length === 0) continue;
    const shares = at.flatMap((p) => (p.serverSoftirqPct === null ? [] : [p.serverSoftirqPct]));
    steps.push({ offered, achieved: mean(at.map((p) => p.achievedRps)), softirq: shares.length === 0 ? null : mean(shares) });
  }
  const out: number[] = [];
  for (let i = 1; i < steps.length; i++) {
    const a = steps[i - 1];
    const b = steps[i];
    if (a === undefined || b === undefined || a.softirq === null || b.softirq === null) continue;
    if (b.softirq - a.softirq >= LIVELOCK_MIN_RISE_POINTS && b.achieved <= a.achieved * (1 - LIVELOCK_MIN_FALL_SHARE)) out.push(b.offered);
  }
  return out;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((sum, x) => sum + x, 0) / xs.length;
}

function meetsSlo(p: SweepPoint, sloP99Us: number): boolean {
  return p.achievedRps >= p.offeredRps * KNEE_ACHIEVED_SHARE && p.latencyP99Us !== null && p.latencyP99Us <= sloP99Us && p.errors === 0;
}

function whyFailed(p: SweepPoint, sloP99Us: number, unit: SweepUnit): string {
  const reasons: string[] = [];
  // A step by pps that did not complete may not have reached a calibrated request rate: no "achieved x of y".
  const rateKnown = unit === "rps" || p.latencyP99Us !== null;
  if (rateKnown && p.achievedRps < p.offeredRps * KNEE_ACHIEVED_SHARE) reasons.push(`achieved ${Math.round(p.achievedRps)} of ${p.offeredRps} req/s`);
  if (p.latencyP99Us === null) reasons.push("the scenario did not complete");
  else if (p.latencyP99Us > sloP99Us) reasons.push(`p99 ${p.latencyP99Us} µs > SLO ${sloP99Us} µs`);
  if (p.errors > 0) reasons.push(`${p.errors} errors`);
  return reasons.join(", ");
}

/** The lowest request rate among completed points (one that did not complete may not have been calibrated). */
function lowestRps(points: readonly SweepPoint[]): number | null {
  const rates = points.filter((p) => p.latencyP99Us !== null).map((p) => p.offeredRps);
  return rates.length === 0 ? null : Math.min(...rates);
}

export function findKnee(points: readonly SweepPoint[], sloP99Us: number, unit: SweepUnit = "rps"): Knee {
  const sorted = [...points].sort((a, b) => a.offered - b.offered);
  let knee: number | null = null;
  let saturation: SweepPoint | null = null;
  for (const p of sorted) {
    if (meetsSlo(p, sloP99Us)) {
      if (saturation === null) knee = p.offered;
    } else if (saturation === null) {
      saturation = p;
    }
  }
  // Repeats of the knee step before saturation all met the SLO; at the saturation step, every repeat counts.
  const kneeAt = knee;
  const saturatedAt = saturation?.offered ?? null;
  const kneePoints = sorted.filter((p) => p.offered === kneeAt && meetsSlo(p, sloP99Us));
  const saturationPoints = sorted.filter((p) => p.offered === saturatedAt);
  return {
    unit,
    knee,
    saturation: saturatedAt,
    kneeRps: unit === "rps" ? knee : lowestRps(kneePoints),
    saturationRps: unit === "rps" ? saturatedAt : lowestRps(saturationPoints),
    limitedBy: saturation === null ? null : saturation.generatorSaturated && saturation.generatorReasons.some((r) => /lateness|fell behind|the generator's CPU was/.test(r)) ? "generator" : "server",
    why: saturation === null ? null : whyFailed(saturation, sloP99Us, unit),
    livelockSteps: livelockSteps(sorted),
  };
}
