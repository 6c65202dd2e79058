/**
 * The pacer: what wakes the open loop at its next due time. The loop asks for one wake at a time; the strategies
 * differ in how they wait (bench/load/pacer-*.ts), and `npm run bench:pacer` measures them against each other.
 *
 * Every strategy keeps one promise: the callback never runs before the time it was asked for. Latency is timed from
 * the intended time, so a send before it would shorten the headline figure; a wake that comes early waits out the
 * rest instead (the loop checks too: bench/load/schedule.ts `dueCount` counts only what is due).
 */
import { performance } from "node:perf_hooks";
import { assertNever } from "../../contract/index.ts";
import { createSpinPacer } from "./pacer-spin.ts";
import { startSleeperThread } from "./pacer-thread.ts";
import { createTimerPacer } from "./pacer-timer.ts";
import { createWorkerPacer } from "./pacer-worker.ts";

/**
 * - `worker`: a worker thread sleeps in `Atomics.wait` with a fractional-ms timeout until shortly before the due time
 *   and wakes the event loop with `postMessage`; the event loop polls the last few µs with `setImmediate`.
 * - `timer`: Node's `setTimeout`, whole milliseconds (libuv timers), late by half a tick on average.
 * - `spin`: `setTimeout` until 2 ms before the due time, then `setImmediate` polling: precise, and a whole core at
 *   any rate above 500 req/s.
 * The first is the default: the figures that chose it are in docs/pacing.md.
 */
export const PACING_STRATEGIES = ["worker", "timer", "spin"] as const;
export type PacingStrategy = (typeof PACING_STRATEGIES)[number];
export const DEFAULT_PACING: PacingStrategy = "worker";

/** The event loop's clock and its two ways to run something later; injected so tests drive pacers with exact times. */
export interface PacerClock {
  /** Milliseconds, monotonic, fractional: performance.now(), whose origin a worker thread shares (Node 24). */
  now(): number;
  setTimeout(fn: () => void, delayMs: number): void;
  /** After the I/O already waiting has been handled (Node's check phase). */
  setImmediate(fn: () => void): void;
}

export interface Pacer {
  readonly strategy: PacingStrategy;
  /**
   * Calls `fn` once, at `atMs` on the clock or as soon after as the strategy can, never before. One wake is pending
   * at a time: a new call replaces one not yet called.
   */
  wakeAt(atMs: number, fn: () => void): void;
  /** Drops the pending wake and releases what the pacer holds (the worker thread); the pacer is not used again. */
  close(): void;
}

/** The real event loop's clock. */
export const EVENT_LOOP_CLOCK: PacerClock = {
  now: () => performance.now(),
  setTimeout: (fn, delayMs) => {
    setTimeout(fn, delayMs);
  },
  setImmediate: (fn) => {
    setImmediate(fn);
  },
};

/** The real pacer of a strategy, on the real event loop. The worker strategy starts its thread here. */
export function createPacer(strategy: PacingStrategy, clock: PacerClock): Pacer {
  switch (strategy) {
    case "worker":
      return createWorkerPacer(clock, startSleeperThread);
    case "timer":
      return createTimerPacer(clock);
    case "spin":
      return createSpinPacer(clock);
    default:
      return assertNever(strategy);
  }
}
