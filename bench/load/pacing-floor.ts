/**
 * The pacing floor: how late the pacer alone wakes on this machine, at the scenario's rate, with nothing sent. The
 * generator measures it just before each load, as the collector measures its idle baseline, and judges its own
 * send lateness against it (bench/load/assess.ts) instead of against a fixed figure: the floor is what any load
 * would inherit from the clock, the rest is what the load itself added.
 */
import { createHistogram, recordMs } from "./histogram.ts";
import type { Histogram } from "./histogram.ts";
import type { Pacer, PacerClock } from "./pacer.ts";
import { createArrivalSchedule } from "./schedule.ts";

/** Idle pacing before each load: 300–500 ms gives 400 samples at 1000 req/s, enough for a p99 (the 4th latest). */
export const PACING_FLOOR_MS = 400;

/** The floor's lateness percentiles, µs, how many due times they summarize, and what the idle pacing cost. */
export interface PacingFloorUs {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly samples: number;
  /**
   * The generator's CPU (every thread) over the idle run ÷ its due times, µs: what waking for one send costs at
   * this rate, part of the client CPU per request the load then measures.
   */
  readonly cpuUsPerSend: number;
}

/**
 * Wakes `pacer` at every due time of an open-loop schedule at `rps` for `durationMs`, as the load loop does
 * (bench/load/generator.ts `tick`), and records how late each due time was served. Nothing is sent; `onDue` stands
 * in for a send where a benchmark wants the loop busy (bench/pacer/child.ts).
 */
export function measurePacingLateness(
  pacer: Pacer,
  clock: Pick<PacerClock, "now">,
  rps: number,
  durationMs: number,
  onDue: () => void = () => {},
): Promise<Histogram> {
  const schedule = createArrivalSchedule({ rps, warmupMs: 0, durationMs }, clock.now());
  const lateness = createHistogram();
  let next = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const t = clock.now();
      const due = schedule.dueCount(t);
      while (next < due) {
        recordMs(lateness, t - schedule.intendedMs(next++));
        onDue();
      }
      if (next >= schedule.endIndex) resolve(lateness);
      else pacer.wakeAt(schedule.intendedMs(next), tick);
    };
    // The first time is now, as in the load loop.
    tick();
  });
}

/** The floor of an idle run's lateness histogram and the process CPU it used, µs. */
export function pacingFloorOf(lateness: Histogram, cpuUs: number): PacingFloorUs {
  if (lateness.totalCount === 0) return { p50: 0, p99: 0, p999: 0, samples: 0, cpuUsPerSend: 0 };
  return {
    p50: lateness.getValueAtPercentile(50),
    p99: lateness.getValueAtPercentile(99),
    p999: lateness.getValueAtPercentile(99.9),
    samples: lateness.totalCount,
    cpuUsPerSend: Math.round((cpuUs / lateness.totalCount) * 10) / 10,
  };
}
