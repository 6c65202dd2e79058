/**
 * The open-loop arrival schedule (as wrk2): request i is due at `startMs + i * 1000 / rps`, whatever happened
 * to the requests before it. Computing each time from the index, not by adding intervals, keeps it free of drift.
 */

/** Above this the generator is certainly the bottleneck; refuse rather than run something meaningless. */
export const MAX_RPS = 1_000_000;

export interface ArrivalPlan {
  readonly rps: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface ArrivalSchedule {
  readonly intervalMs: number;
  /** Index of the first request whose intended time falls in the measured window. */
  readonly firstMeasured: number;
  /** One past the last request to send (the last one's intended time is before the window's end). */
  readonly endIndex: number;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  intendedMs(index: number): number;
  /** How many requests (from index 0) are due at `nowMs`, never more than `endIndex`. */
  dueCount(nowMs: number): number;
}

/** ceil() that ignores binary floating-point noise such as 3.0000000000000004. */
function ceilCount(x: number): number {
  return Math.ceil(x - 1e-9);
}

export function createArrivalSchedule(plan: ArrivalPlan, startMs: number): ArrivalSchedule {
  const intervalMs = 1000 / plan.rps;
  const firstMeasured = ceilCount((plan.warmupMs * plan.rps) / 1000);
  const endIndex = ceilCount(((plan.warmupMs + plan.durationMs) * plan.rps) / 1000);
  return {
    intervalMs,
    firstMeasured,
    endIndex,
    windowStartMs: startMs + plan.warmupMs,
    windowEndMs: startMs + plan.warmupMs + plan.durationMs,
    intendedMs: (index) => startMs + (index * 1000) / plan.rps,
    dueCount(nowMs) {
      if (nowMs < startMs) return 0;
      const due = Math.floor(((nowMs - startMs) * plan.rps) / 1000 + 1e-9) + 1;
      return due < endIndex ? due : endIndex;
    },
  };
}

/**
 * A host-clock instant (CLOCK_MONOTONIC in ms: bench/support/host-clock.ts) on the load clock (performance.now()).
 * Both count the same monotonic time from different origins, so two readings taken back to back give the offset
 * between them, to within the moment between the reads. Pure.
 */
export function hostToLoadClock(hostMs: number, hostNowMs: number, loadNowMs: number): number {
  return hostMs - (hostNowMs - loadNowMs);
}
