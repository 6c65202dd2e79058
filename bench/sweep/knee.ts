/**
 * Knee and saturation per protocol, from a sweep's steps, and the livelock signature: kernel time rising while
 * delivered throughput falls (Mogul & Ramakrishnan 1997; KERNEL-NOTES.md). Pure.
 */

export interface SweepPoint {
  readonly offeredRps: number;
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
  /** The highest offered rate that met the SLO with achieved ≥ 99% of offered and no errors; null if none did. */
  readonly kneeRps: number | null;
  /** The first offered rate past saturation (achieved < 99% of offered, errors, or SLO broken); null if none. */
  readonly saturationRps: number | null;
  /** Who gave out first at the saturation step: the generator (its lateness/cpu) or the system under test. */
  readonly limitedBy: "generator" | "server" | null;
  readonly why: string | null;
  /** Offered rates where kernel (softirq) time rose while delivered throughput fell from the step before. */
  readonly livelockSteps: readonly number[];
}

export const KNEE_ACHIEVED_SHARE = 0.99;

function meetsSlo(p: SweepPoint, sloP99Us: number): boolean {
  return p.achievedRps >= p.offeredRps * KNEE_ACHIEVED_SHARE && p.latencyP99Us !== null && p.latencyP99Us <= sloP99Us && p.errors === 0;
}

function whyFailed(p: SweepPoint, sloP99Us: number): string {
  const reasons: string[] = [];
  if (p.achievedRps < p.offeredRps * KNEE_ACHIEVED_SHARE) reasons.push(`achieved ${Math.round(p.achievedRps)} of ${p.offeredRps} req/s`);
  if (p.latencyP99Us === null) reasons.push("the scenario did not complete");
  else if (p.latencyP99Us > sloP99Us) reasons.push(`p99 ${p.latencyP99Us} µs > SLO ${sloP99Us} µs`);
  if (p.errors > 0) reasons.push(`${p.errors} errors`);
  return reasons.join(", ");
}

export function findKnee(points: readonly SweepPoint[], sloP99Us: number): Knee {
  const sorted = [...points].sort((a, b) => a.offeredRps - b.offeredRps);
  let kneeRps: number | null = null;
  let saturation: SweepPoint | null = null;
  for (const p of sorted) {
    if (meetsSlo(p, sloP99Us)) {
      if (saturation === null) kneeRps = p.offeredRps;
    } else if (saturation === null) {
      saturation = p;
    }
  }
  const livelockSteps: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] as SweepPoint;
    const b = sorted[i] as SweepPoint;
    if (a.serverSoftirqPct !== null && b.serverSoftirqPct !== null && b.serverSoftirqPct > a.serverSoftirqPct && b.achievedRps < a.achievedRps) {
      livelockSteps.push(b.offeredRps);
    }
  }
  return {
    kneeRps,
    saturationRps: saturation?.offeredRps ?? null,
    limitedBy: saturation === null ? null : saturation.generatorSaturated && saturation.generatorReasons.some((r) => /lateness|fell behind/.test(r)) ? "generator" : "server",
    why: saturation === null ? null : whyFailed(saturation, sloP99Us),
    livelockSteps,
  };
}
