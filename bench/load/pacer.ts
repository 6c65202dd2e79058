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
import type { StartSleeper, WorkerPacerOptions } from "./pacer-worker.ts";

/**
 * - `worker`: a worker thread sleeps in `Atomics.wait` with a fractional-ms timeout until shortly before the due time
 *   and wakes the event loop with `postMessage`; the event loop polls the last few µs with `setImmediate`. Wakes are
 *   at least 0.2 ms apart (bench/load/pacer-worker.ts `MIN_WAKE_INTERVAL_MS`).
 * - `timer`: Node's `setTimeout`, whole milliseconds (libuv timers), late by half a tick on average.
 * - `spin`: `setTimeout` until 2 ms before the due time, then `setImmediate` polling.
 * - `batch`: the worker's thread, but wakes at least BATCH_INTERVAL_MS apart and no sends from answers' callbacks:
 *   everything due in 10 ms leaves together, as h2load's `--rps` sends (its rps_cb ticks every 10 ms). The cheapest
 *   per request and the least precise (sends up to 10 ms late, about 5 ms at p50); the latency from the intended time
 *   counts that delay. It measures what the precise strategies' wake-ups cost against h2load: h2c at 20 000 req/s,
 *   wire client, 4 connections, 5.5 µs of CPU per request against h2load's 5.5 (0.99×); with `worker`, 19.2 µs
 *   (2.35×) (results/reference/generator.md, README "The generator's own cost").
 *
 * `npm run bench:pacer` on this 2-CPU Firecracker VM, shared with other work (load average 2.4–6), each run pinned to
 * CPU 0, idle (nothing sent), 2 s, medians (min–max) of 3 runs; lateness p50 / p99 and CPU % of a core:
 *   1000/s   worker 5 (4–7) µs / 2.9 ms, 9.8%    timer 588 µs / 6.2 ms, 5.4%    spin 3 µs / 11 ms, 88%
 *   5000/s   worker 4 (1–5) µs / 2.5 ms, 30%     timer 568 µs / 1.7 ms, 4.1%    spin 2 µs / 3.2 ms, 94%
 *   20000/s  worker 100 µs / 2.9 ms, 29%         timer 582 µs / 2.9 ms, 5.3%    spin 2 µs / 3.0 ms, 96%
 * The p99s are the shared machine's, whatever the strategy. Each wake of a sleeping thread costs this VM 50–100 µs
 * of CPU (the timer's one thread, the worker's two), so what a strategy costs is its wakes per second: the timer
 * wakes at most 1000 times a second, the worker once per send up to 5000 a second, and spin never sleeps.
 * The worker is the default: it takes the timer's ~0.55 ms out of every latency measured from the intended time
 * (issue 10: p50 754 µs against a service time of 169 µs at 1000 req/s), at about 45 µs more CPU per send at
 * 1000/s (which the report states as each scenario's pacing floor CPU). Spin is as precise but holds a core whose
 * time the generator's CPU figures would count; it suits a dedicated generator core.
 */
export const PACING_STRATEGIES = ["worker", "timer", "spin", "batch"] as const;
export type PacingStrategy = (typeof PACING_STRATEGIES)[number];
export const DEFAULT_PACING: PacingStrategy = "worker";
/** The `batch` strategy's least time between two wakes: h2load's rps_cb tick (nghttp2 1.52, src/h2load.cc). */
export const BATCH_INTERVAL_MS = 10;

/** The time a strategy batches its sends over by design, ms: 0 for those that send each at its own time. */
export function batchIntervalMs(strategy: PacingStrategy): number {
  switch (strategy) {
    case "batch":
      return BATCH_INTERVAL_MS;
    case "worker":
    case "timer":
    case "spin":
      return 0;
    default:
      return assertNever(strategy);
  }
}

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
   * Whether the load loop may also send what is due from an answer's callback, between wakes (bench/load/generator.ts
   * `sendDue`): it costs no wake-up, but sends one request at a time. Every strategy but `batch`.
   */
  readonly piggyback: boolean;
  /**
   * Resolves once the pacer can keep time: the worker's thread has started (tens of ms, during which a wake would be
   * that late). Await it before anything is timed.
   */
  readonly ready: Promise<void>;
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

/**
 * The pacer of a strategy on `clock`. The worker strategy starts its thread here; tests give a fake sleeper instead.
 */
export function createPacer(strategy: PacingStrategy, clock: PacerClock, startSleeper: StartSleeper = startSleeperThread, worker: WorkerPacerOptions = {}): Pacer {
  switch (strategy) {
    case "worker":
      return createWorkerPacer(clock, startSleeper, worker);
    case "timer":
      return createTimerPacer(clock);
    case "spin":
      return createSpinPacer(clock);
    case "batch":
      return { ...createWorkerPacer(clock, startSleeper, { ...worker, minIntervalMs: batchIntervalMs(strategy) }), strategy, piggyback: false };
    default:
      return assertNever(strategy);
  }
}
