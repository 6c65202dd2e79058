/**
 * --pps: offer load by packets per second. Packets per request depend on the protocol and on the rate itself
 * (ACKs coalesce, frames batch), so the request rate is found by short calibration runs: each measures packets
 * per request at the current guess and sets the next rate to target / (packets per request).
 *
 * A sweep by pps calibrates every step afresh (packets per request fall as load rises: h2c went from 2.07 to 0.64
 * between 1000 and 12800 req/s, so one calibration would miss the higher steps' packet rates by 3×), starting
 * from the packets per request the protocol's previous step measured instead of the generic 2.
 */
import { MAX_RPS } from "../config.ts";

export interface CalibrationRound {
  readonly rps: number;
  readonly packets: number;
  readonly requests: number;
  readonly packetsPerRequest: number;
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

export function rateFor(targetPps: number, packetsPerRequest: number): number {
  const rps = targetPps / packetsPerRequest;
  return Math.min(MAX_RPS, Math.max(1, Math.round(rps * 10) / 10));
}

/** `measure(rps)` runs a short load at rps and returns the server-interface packets and completed requests. */
export async function calibrate(
  targetPps: number,
  measure: (rps: number) => Promise<{ packets: number; requests: number }>,
  rounds = CALIBRATION_ROUNDS,
  initialPacketsPerRequest = INITIAL_PACKETS_PER_REQUEST,
): Promise<Calibration> {
  const done: CalibrationRound[] = [];
  let rps = rateFor(targetPps, initialPacketsPerRequest);
  for (let i = 0; i < rounds; i++) {
    const { packets, requests } = await measure(rps);
    if (!(requests > 0) || !(packets > 0)) throw new Error(`--pps calibration at ${rps} req/s measured ${packets} packets for ${requests} requests`);
    const packetsPerRequest = packets / requests;
    done.push({ rps, packets, requests, packetsPerRequest: Math.round(packetsPerRequest * 1000) / 1000 });
    rps = rateFor(targetPps, packetsPerRequest);
  }
  return { targetPps, initialPacketsPerRequest, rounds: done, requestRate: rps };
}
