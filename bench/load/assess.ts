/**
 * Rate maths, and who limited a run: the generator, when its sends ran late beyond what its pacer alone would
 * (the pacing floor, bench/load/pacing-floor.ts); the server, when the sends left on time but fewer answers came
 * back than were asked for. Only the first is a saturated generator: a server that cannot keep up answers late or
 * not at all while the generator's sends stay on schedule, and requests refused at the in-flight cap are the
 * server's backlog, not the generator's delay.
 */
import type { PacingFloorUs } from "./pacing-floor.ts";

/** Achieved below this share of the offered rate means the run did not carry its offered load. */
export const MIN_ACHIEVED_SHARE = 0.99;
/** Without a pacing floor (none measured: no due time in the idle run), sends this late mean the generator fell behind. */
export const MAX_LATENESS_P99_US = 2000;
/**
 * The least margin over the floor's p99. Load adds delays the idle floor cannot contain: a scavenge with the
 * generator's 1 MB semi-spaces pauses 0.4–0.8 ms (bench/load/generator-process.ts), and a send due while a batch of
 * answers is being handled waits for it. At 1000 req/s, with the generator at 12% of its core, these moved the
 * timer pacer's lateness p99 from 1.4 ms idle to 2.0–2.4 ms (issue 10): about 1 ms, which is not falling behind.
 * A generator that does fall behind builds a backlog, one interval more per send it cannot make, so its lateness
 * passes any margin of a few ms within moments — for most sends, not only the slowest percent (see assessGenerator).
 */
export const MIN_LATENESS_MARGIN_US = 1000;

/**
 * The busiest a connection that carries one request at a time (HTTP/1.1 without pipelining) may be: past it, requests
 * wait for a free connection often enough to show in the latency, which is timed from the intended send time.
 */
export const MAX_CONNECTION_BUSY = 0.7;

/**
 * Connections needed to carry `rps` one request at a time with a mean service time of `serviceMeanUs`: on average
 * rps × service time requests are in flight (Little's law), and each connection should be at most
 * MAX_CONNECTION_BUSY busy. 4 connections with a 200 µs service time carry 14 000 req/s.
 */
export function connectionsNeeded(rps: number, serviceMeanUs: number): number {
  return Math.ceil((rps * serviceMeanUs) / 1e6 / MAX_CONNECTION_BUSY);
}

export function ratePerSecond(count: number, durationMs: number): number {
  return durationMs > 0 ? (count * 1000) / durationMs : 0;
}

/**
 * The send lateness p99 beyond which the generator fell behind: floor p99 + max(1 ms, floor p99). A noisy floor
 * (a busy VM) doubles its own allowance: its p99, from a few hundred idle samples, is itself uncertain by about as
 * much. Without a floor, the fixed MAX_LATENESS_P99_US.
 */
export function latenessLimitUs(floor: PacingFloorUs | null): number {
  if (floor === null || floor.samples === 0) return MAX_LATENESS_P99_US;
  return floor.p99 + Math.max(MIN_LATENESS_MARGIN_US, floor.p99);
}

/**
 * Why a generator is flagged: the achieved rate fell short, the sends ran late, the idle pacer could not keep the
 * rate, or (judged by the harness, which sees both CPUs: bench/run/cpu-limit.ts) its CPU was full while the server's
 * was not.
 */
export type SaturationKind = "achieved-below-offered" | "send-lateness" | "pacing-floor" | "generator-cpu";
/** Who kept a run from carrying its offered load; null when it carried it. */
export type LimitedBy = "generator" | "server";

export interface GeneratorVerdict {
  /** The generator fell behind its schedule: its sends ran late beyond the floor and margin. */
  readonly saturated: boolean;
  /**
   * Sends held up by stalls while the rate was carried and most sends kept time: the lateness p99 beyond the limit,
   * its p90 within it. Not saturated; said because latency from the intended time includes the stalls. Else null.
   */
  readonly stalls: string | null;
  /** Plain-language reasons, empty when not saturated. */
  readonly reasons: readonly string[];
  /** The same reasons as codes, in the same order. */
  readonly kinds: readonly SaturationKind[];
  readonly limitedBy: LimitedBy | null;
  /** Why `limitedBy` is what it is; empty when null. */
  readonly limitReasons: readonly string[];
}

export interface VerdictInput {
  readonly offeredRps: number;
  readonly achievedRps: number;
  readonly latenessP99Us: number;
  readonly latenessP90Us: number;
  /** The idle pacing floor measured before the load; null judges against the fixed MAX_LATENESS_P99_US. */
  readonly floor: PacingFloorUs | null;
  /** Requests the in-flight cap refused. */
  readonly refused: number;
  /**
   * The pacer's least time between wakes when it batches by design (`--pacing batch`: 10 000 µs), else 0: its idle
   * median is then about half of it without any backlog, so the floor's median is judged beyond it.
   */
  readonly batchIntervalUs?: number;
}

/**
 * Who limited a run. The generator fell behind when its sends ran late beyond the limit (latenessLimitUs) and either
 * the rate was not carried or the tenth of sends beyond p90 ran late too: a backlog delays most sends. When only the
 * slowest percent ran late, the rate carried and p90 on time, the sends were held up by stalls, and the run describes
 * the server; `stalls` says so. Stalls measured here: a busy loop at nice -20 on each CPU of the idle VM saw 48–130
 * gaps over 0.5 ms in 30 s, the longest 4.4–8.2 ms; in runs, a kernel thread (kdamond) or the generator's V8 compile
 * threads held its CPU for 4–14 ms, and sends and answers stalled together for up to 40–60 ms (h2c at 1000 req/s:
 * lateness max 48 ms, service time max 64 ms) — one such stall puts a 1760 req/s window's p99 at 14 ms.
 */
export function assessGenerator(input: VerdictInput): GeneratorVerdict {
  const limitUs = latenessLimitUs(input.floor);
  const short = input.achievedRps < input.offeredRps * MIN_ACHIEVED_SHARE;
  const tailLate = input.latenessP99Us > limitUs;
  const late = tailLate && (short || input.latenessP90Us > limitUs);
  const share = input.offeredRps > 0 ? (100 * input.achievedRps) / input.offeredRps : 0;
  const achieved = `achieved ${round1(input.achievedRps)} req/s is ${round1(share)}% of the offered ${round1(input.offeredRps)} (< ${MIN_ACHIEVED_SHARE * 100}%)`;
  // A pacer that runs this late with nothing to send cannot offer the rate at all: its floor is the generator's limit.
  // Its median, not its tail: a busy VM gives an idle pacer a p99 of 2 ms at 1000 req/s, while one that cannot keep
  // the rate builds a backlog that makes even its median late (p50 51 ms at 500 000 req/s).
  // Only with the load's own evidence (late sends or a short rate): under load, sends also leave from the answers'
  // callbacks, so a loaded run can keep a schedule the idle pacer could not.
  const floorMedianLimitUs = MAX_LATENESS_P99_US + (input.batchIntervalUs ?? 0);
  if (input.floor !== null && input.floor.samples > 0 && input.floor.p50 > floorMedianLimitUs && (late || short)) {
    const floorReason = `the pacer alone, sending nothing, ran p50 ${input.floor.p50} µs late at this rate (> ${floorMedianLimitUs} µs): this generator cannot offer ${round1(input.offeredRps)} req/s`;
    const reasons = short ? [achieved, floorReason] : [floorReason];
    const kinds: SaturationKind[] = short ? ["achieved-below-offered", "pacing-floor"] : ["pacing-floor"];
    return { saturated: true, stalls: null, reasons, kinds, limitedBy: "generator", limitReasons: reasons };
  }
  const basis = input.floor === null || input.floor.samples === 0 ? null : `pacing floor p99 ${input.floor.p99} µs + margin`;
  if (late) {
    const lateness = `send lateness p99 ${input.latenessP99Us} µs > ${limitUs} µs${basis === null ? "" : ` (${basis})`}: the generator fell behind its schedule`;
    const reasons = short ? [achieved, lateness] : [lateness];
    const kinds: SaturationKind[] = short ? ["achieved-below-offered", "send-lateness"] : ["send-lateness"];
    return { saturated: true, stalls: null, reasons, kinds, limitedBy: "generator", limitReasons: reasons };
  }
  const stalls = tailLate
    ? `send lateness p99 ${input.latenessP99Us} µs > ${limitUs} µs${basis === null ? "" : ` (${basis})`}, but p90 ${input.latenessP90Us} µs within it and the rate carried: stalls held up some sends, not a backlog; latency from the intended time includes them, service time does not`
    : null;
  if (!short) return { saturated: false, stalls, reasons: [], kinds: [], limitedBy: null, limitReasons: [] };
  const refused = input.refused > 0 ? `; ${input.refused} requests refused at the in-flight cap (the server's backlog)` : "";
  const server = `${achieved} while the sends left on time (lateness p99 ${input.latenessP99Us} µs ≤ ${limitUs} µs${basis === null ? "" : `, ${basis}`})${refused}: the server did not keep up`;
  // Short with a late tail is the generator's (above): here the sends kept time, so there are no stalls to note.
  return { saturated: false, stalls: null, reasons: [], kinds: [], limitedBy: "server", limitReasons: [server] };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
