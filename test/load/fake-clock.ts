import type { LoadClock } from "../../bench/load/generator.ts";

/**
 * A manual clock: timers fire only when the test advances time, in due order, with `now()` at their firing time.
 * `minDelayMs` models Node's timer floor (setTimeout never fires sooner than ~1 ms), which is what makes the
 * real loop send in batches.
 */
export interface FakeClock extends LoadClock {
  advanceTo(ms: number): void;
}

export function createFakeClock(options: { startMs?: number; minDelayMs?: number } = {}): FakeClock {
  let nowMs = options.startMs ?? 0;
  const minDelayMs = options.minDelayMs ?? 0;
  let timers: { at: number; fn: () => void; order: number }[] = [];
  let order = 0;
  return {
    now: () => nowMs,
    setTimeout(fn, delayMs) {
      timers.push({ at: nowMs + Math.max(delayMs, minDelayMs), fn, order: order++ });
    },
    advanceTo(ms) {
      for (let guard = 0; guard < 1_000_000; guard++) {
        timers.sort((a, b) => a.at - b.at || a.order - b.order);
        const first = timers[0];
        if (first === undefined || first.at > ms) break;
        timers = timers.slice(1);
        nowMs = Math.max(nowMs, first.at);
        first.fn();
      }
      nowMs = Math.max(nowMs, ms);
    },
  };
}
