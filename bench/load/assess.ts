/**
 * Rate maths and the saturation verdict. A run the generator could not drive as asked is never reported clean.
 */

/** Achieved below this share of the offered rate marks the generator saturated. */
export const MIN_ACHIEVED_SHARE = 0.99;
/** Sends this late (p99 of send time − intended time) mean the generator's event loop fell behind. */
export const MAX_LATENESS_P99_US = 2000;

export function ratePerSecond(count: number, durationMs: number): number {
  return durationMs > 0 ? (count * 1000) / durationMs : 0;
}

/** Why a run is flagged: the achieved rate fell short, or the sends ran late. */
export type SaturationKind = "achieved-below-offered" | "send-lateness";

export interface GeneratorVerdict {
  readonly saturated: boolean;
  /** Plain-language reasons, empty when not saturated. */
  readonly reasons: readonly string[];
  /** The same reasons as codes, in the same order. */
  readonly kinds: readonly SaturationKind[];
}

export function assessGenerator(input: {
  readonly offeredRps: number;
  readonly achievedRps: number;
  readonly latenessP99Us: number;
}): GeneratorVerdict {
  const reasons: string[] = [];
  const kinds: SaturationKind[] = [];
  if (input.achievedRps < input.offeredRps * MIN_ACHIEVED_SHARE) {
    kinds.push("achieved-below-offered");
    const share = input.offeredRps > 0 ? (100 * input.achievedRps) / input.offeredRps : 0;
    reasons.push(`achieved ${round1(input.achievedRps)} req/s is ${round1(share)}% of the offered ${round1(input.offeredRps)} (< ${MIN_ACHIEVED_SHARE * 100}%)`);
  }
  if (input.latenessP99Us > MAX_LATENESS_P99_US) {
    kinds.push("send-lateness");
    reasons.push(`send lateness p99 ${input.latenessP99Us} µs > ${MAX_LATENESS_P99_US} µs: the generator fell behind its schedule`);
  }
  return { saturated: reasons.length > 0, reasons, kinds };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
