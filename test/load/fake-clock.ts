import type { PacerClock } from "../../bench/load/pacer.ts";
import type { Sleeper, StartSleeper } from "../../bench/load/pacer-worker.ts";

/**
 * A manual clock: timers fire only when the test advances time, in due order, with `now()` at their firing time.
 * `minDelayMs` models Node's timer floor (setTimeout never fires sooner than ~1 ms), which is what makes the
 * real loop send in batches; `earlyMs` (less than `minDelayMs`) a timer that fires before its time, as libuv's can
 * (its loop time is cached at the start of a turn). A `setImmediate` callback runs one loop turn later, `turnMs` on (default 0.125 ms), so pollers move
 * time forward in exact steps.
 */
export interface FakeClock extends PacerClock {
  advanceTo(ms: number): void;
  /** Runs `fn` at exactly `ms` (what a test's stand-in for another thread uses). */
  at(ms: number, fn: () => void): void;
}

export function createFakeClock(options: { startMs?: number; minDelayMs?: number; earlyMs?: number; turnMs?: number } = {}): FakeClock {
  let nowMs = options.startMs ?? 0;
  const minDelayMs = options.minDelayMs ?? 0;
  const earlyMs = options.earlyMs ?? 0;
  const turnMs = options.turnMs ?? 0.125;
  let timers: { at: number; fn: () => void; order: number }[] = [];
  let order = 0;
  const push = (at: number, fn: () => void): void => {
    timers.push({ at, fn, order: order++ });
  };
  return {
    now: () => nowMs,
    setTimeout(fn, delayMs) {
      push(nowMs + Math.max(delayMs, minDelayMs) - earlyMs, fn);
    },
    setImmediate(fn) {
      push(nowMs + turnMs, fn);
    },
    at: push,
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

/**
 * A sleeper thread without a thread: it wakes `latencyMs` after the time it was asked for, on the fake clock, and
 * records every time it was asked for.
 */
export function fakeSleeper(clock: FakeClock, latencyMs: number): { start: StartSleeper; asked: number[] } {
  const asked: number[] = [];
  const start: StartSleeper = (onWake) => {
    let generation = 0;
    const sleeper: Sleeper = {
      arm(atMs) {
        asked.push(atMs);
        const mine = ++generation;
        clock.at(atMs + latencyMs, () => {
          if (mine === generation) onWake();
        });
      },
      close() {
        generation++;
      },
      ready: Promise.resolve(),
      timerSlackNs: () => 1,
      wakeUps: () => asked.length,
    };
    return sleeper;
  };
  return { start, asked };
}
