/**
 * --pps: offer load by packets per second. Packets per request depend on the protocol and on the rate itself
 * (ACKs coalesce, frames batch), so the request rate is found by short calibration runs: each measures packets
 * per request at the current guess and sets the next rate to target / (packets per request).
 *
 * A sweep by pps calibrates every step afresh (packets per request fall as load rises: h2c went from 2.07 to 0.64
 * between 1000 and 12800 req/s, so one calibration would miss the higher steps' packet rates by 3×), starting
 * from the packets per request the protocol's previous step measured instead of the generic 2.
 *
 * Past saturation no request rate reaches the target: h2c and gRPC pack more frames per packet the more is queued,
 * so packets per request keep falling and target / (packets per request) ran away (a sweep step at 16000 packets/s
 * calibrated h2c to 127237 req/s). So a round that delivered under 90% of its rate caps every later guess at that
 * rate, and no round raises the rate more than 2×.
 */
import { MAX_RPS } from "./schedule.ts";

export interface CalibrationRound {
  readonly rps: number;
  readonly packets: number;
  readonly requests: number;
  readonly packetsPerRequest: number;
  /** Answers per second in the round's window; null when the measurement did not say. */
  readonly achievedRps: number | null;
}

export interface Calibration {
  readonly targetPps: number;
  /** The packets per request the first guess assumed: 2, or in a sweep the previous step's measured figure. */
  readonly initialPacketsPerRequest: number;
  readonly rounds: readonly CalibrationRound[];
  /** The request rate the measured window offered. */
  readonly requestRate: number;
}

/** Keep-alive request/response over TCP: one segment each way. The first guess only. */
export const INITIAL_PACKETS_PER_REQUEST = 2;
export const CALIBRATION_ROUNDS = 3;
/** A round delivering under this share of its rate ran past saturation: later guesses stay at or below its rate. */
export const CALIBRATION_KEPT_UP_SHARE = 0.9;
/** The most one round raises the rate: packets per request measured at one rate say little about a far higher one. */
export const CALIBRATION_MAX_RAISE = 2;

export function rateFor(targetPps: number, packetsPerRequest: number): number {
  const rps = targetPps / packetsPerRequest;
  return Math.min(MAX_RPS, Math.max(1, Math.round(rps * 10) / 10));
}

/**
 * `measure(rps)` runs a short load at rps and returns the server-interface packets and completed requests, and
 * the answers per second it achieved when known.
 */
export async function calibrate(
  targetPps: number,
  measure: (rps: number) => Promise<{ packets: number; requests: number; achievedRps?: number }>,
  rounds = CALIBRATION_ROUNDS,
  initialPacketsPerRequest = INITIAL_PACKETS_PER_REQUEST,
): Promise<Calibration> {
  const done: CalibrationRound[] = [];
  let rps = rateFor(targetPps, initialPacketsPerRequest);
  let ceiling = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    const { packets, requests, achievedRps } = await measure(rps);
    if (!(requests > 0) || !(packets > 0)) throw new Error(`--pps calibration at ${rps} req/s measured ${packets} packets for ${requests} requests`);
    const packetsPerRequest = packets / requests;
    done.push({ rps, packets, requests, packetsPerRequest: Math.round(packetsPerRequest * 1000) / 1000, achievedRps: achievedRps ?? null });
    if (achievedRps !== undefined && achievedRps < rps * CALIBRATION_KEPT_UP_SHARE) ceiling = Math.min(ceiling, rps);
    rps = Math.min(rateFor(targetPps, packetsPerRequest), rps * CALIBRATION_MAX_RAISE, ceiling);
  }
  return { targetPps, initialPacketsPerRequest, rounds: done, requestRate: rps };
}
