/**
 * When each client host of the multi-host driver (issue 13, "Beyond one machine") starts its share of the load:
 * every host at one driver-clock instant, named in each agent's own clock by its measured offset
 * (clock-offset.ts), never "now" on each host — the driver's message reaches each agent at a different time, and
 * each host's "now" would start its window there. The hosts' arrivals interleave into one evenly paced open-loop
 * stream, and the windows are the same driver-clock interval on every host, so the driver can merge their
 * reports (merge-reports.ts). Pure: the driver's clock reading and the offsets come in as data.
 */
import { toAgentClock } from "./clock-offset.ts";

export interface ClientClock {
  readonly host: string;
  /** The agent's clock minus the driver's (OffsetEstimate.offsetMs). */
  readonly offsetMs: number;
  /** The true offset lies within offsetMs ± uncertaintyMs (OffsetEstimate.uncertaintyMs). */
  readonly uncertaintyMs: number;
}

export interface WindowPlan {
  /** The driver's clock when it schedules. */
  readonly driverNowMs: number;
  /** How far ahead of driverNowMs the load starts; must exceed twice the largest uncertainty. */
  readonly leadMs: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** The total offered rate, over all client hosts. */
  readonly rps: number;
  readonly clients: readonly ClientClock[];
}

export interface ClientStart {
  readonly host: string;
  /** This host's share of the rate. */
  readonly rps: number;
  /** The shared start instant, in this agent's clock. */
  readonly startAgentMs: number;
  /** This host's first arrival comes this long after the start, so the hosts' arrivals interleave. */
  readonly firstArrivalDelayMs: number;
}

export interface WindowSchedule {
  readonly startDriverMs: number;
  readonly windowStartDriverMs: number;
  readonly windowEndDriverMs: number;
  /**
   * The largest client uncertainty: each host's start, and so its window, lies within ± this of the scheduled
   * instant, so two hosts' windows may start up to twice this apart. It covers the offset only: a clock that also
   * runs fast (tens of ppm is common) ends its window early by that fraction of warmup + duration.
   */
  readonly alignmentErrorMs: number;
  readonly clients: readonly ClientStart[];
}

/**
 * Per-host rates. An integer rate splits into integers that sum to it exactly, the first hosts taking the remainder
 * (1000 over 3 → 334, 333, 333), so each host's generator keeps a whole number of requests per second; any other
 * rate splits evenly. A rate below the number of hosts leaves some hosts 0.
 */
export function splitRate(rps: number, hosts: number): number[] {
  if (!Number.isInteger(hosts) || hosts < 1) throw new RangeError(`a rate splits over a positive whole number of hosts, got ${hosts}`);
  if (!Number.isFinite(rps) || rps <= 0) throw new RangeError(`a rate to split must be a positive number of requests per second, got ${rps}`);
  if (!Number.isInteger(rps)) return Array.from({ length: hosts }, () => rps / hosts);
  const base = Math.floor(rps / hosts);
  const remainder = rps - base * hosts;
  return Array.from({ length: hosts }, (_, i) => base + (i < remainder ? 1 : 0));
}

function refuseUnless(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

/**
 * Host i of k starts its first arrival i × 1000 / rps ms after the shared start. With equal shares, host i's
 * arrivals then fall at (i + j·k) × 1000 / rps: the merged stream is evenly spaced, exactly. With unequal shares
 * (an integer rate the hosts do not divide) the larger shares run one request per second faster, so the interleave
 * slides through every phase once a second: the total rate stays exact and each host's own stream even, but the
 * merged arrivals leave the even grid — by at most one arrival interval with up to four hosts (half of one with
 * two), by more beyond (1.5 intervals with five hosts, 2.5 with eight, 5 with sixteen: the worst over every integer
 * rate below 1 000–6 000 req/s, found by simulating the merged stream).
 *
 * The lead must exceed twice the largest uncertainty, because the driver cannot promise a start it may already
 * have missed: a schedule message that travels as the fastest clock exchange did reaches the agent, by the agent's
 * reckoning of driver time, δ/2 = uncertainty after it was sent, whatever that path's asymmetry; twice leaves as much
 * again for a message slower than the fastest exchange.
 */
export function scheduleWindows(plan: WindowPlan): WindowSchedule {
  const { driverNowMs, leadMs, warmupMs, durationMs, rps, clients } = plan;
  refuseUnless(clients.length > 0, "a window schedule needs at least one client host");
  refuseUnless(Number.isFinite(driverNowMs), `the driver's clock reading must be finite, got ${driverNowMs}`);
  refuseUnless(Number.isFinite(durationMs) && durationMs > 0, `the measured window must be a positive duration, got ${durationMs} ms`);
  refuseUnless(Number.isFinite(warmupMs) && warmupMs >= 0, `the warm-up must be a duration of 0 ms or more, got ${warmupMs} ms`);
  refuseUnless(Number.isFinite(rps) && rps > 0, `the offered rate must be positive, got ${rps} req/s`);
  for (const c of clients) {
    refuseUnless(Number.isFinite(c.offsetMs), `host ${c.host}'s clock offset must be finite, got ${c.offsetMs}`);
    refuseUnless(Number.isFinite(c.uncertaintyMs) && c.uncertaintyMs >= 0, `host ${c.host}'s clock uncertainty must be 0 ms or more, got ${c.uncertaintyMs}`);
  }
  const alignmentErrorMs = Math.max(...clients.map((c) => c.uncertaintyMs));
  refuseUnless(
    Number.isFinite(leadMs) && leadMs > 2 * alignmentErrorMs,
    `a start ${leadMs} ms ahead may already have passed on a host whose clock is known to ±${alignmentErrorMs} ms; ` +
      `the lead must be more than ${2 * alignmentErrorMs} ms (or measure the clock offsets again over a quieter path)`,
  );
  const shares = splitRate(rps, clients.length);
  const idle = clients.filter((_, i) => shares[i] === 0).map((c) => c.host);
  refuseUnless(idle.length === 0, `${rps} req/s over ${clients.length} client hosts leaves ${idle.join(", ")} nothing to send; use fewer hosts or a higher rate`);

  const startDriverMs = driverNowMs + leadMs;
  const windowStartDriverMs = startDriverMs + warmupMs;
  return {
    startDriverMs,
    windowStartDriverMs,
    windowEndDriverMs: windowStartDriverMs + durationMs,
    alignmentErrorMs,
    clients: clients.map((c, i) => ({
      host: c.host,
      rps: shares[i] ?? 0,
      startAgentMs: toAgentClock(startDriverMs, c.offsetMs),
      firstArrivalDelayMs: (i * 1000) / rps,
    })),
  };
}
