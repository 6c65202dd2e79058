/**
 * The worker pacer's sleeper: a worker thread (bench/load/pacer-sleeper.ts) that waits in `Atomics.wait` on a
 * shared generation counter, with a fractional-ms timeout until the asked time, then posts the generation to the
 * event loop. Asking again bumps the generation and notifies, so a sleeping thread re-reads the new time at once.
 * The only I/O of the worker pacer.
 */
import { Worker } from "node:worker_threads";
import type { Sleeper } from "./pacer-worker.ts";

/** Int32 slots of the shared control block; the asked time is the Float64 after them. */
export const GENERATION = 0;
export const CLOSED = 1;
export const CONTROL_BYTES = 16;

export interface SleeperData {
  readonly shared: SharedArrayBuffer;
  /** Written to the thread's /proc/<tid>/timerslack_ns before it first sleeps; null leaves the default. */
  readonly timerSlackNs: number | null;
}

/** The sleeper's first message; every later one is a generation number. */
export interface SleeperReady {
  /** The thread's timerslack_ns as read back after setting it; null when it could not be read. */
  readonly timerSlackNs: number | null;
}

const SLEEPER_ENTRY = new URL("./pacer-sleeper.ts", import.meta.url);

/** Timer slack for the sleeper thread: 1 ns, the least the kernel takes (0 means "the process default"). */
export const SLEEPER_TIMER_SLACK_NS = 1;

export function startSleeperThread(onWake: () => void, timerSlackNs: number | null = SLEEPER_TIMER_SLACK_NS): Sleeper {
  let ready: SleeperReady | null = null;
  const shared = new SharedArrayBuffer(CONTROL_BYTES);
  const control = new Int32Array(shared, 0, 2);
  const askedMs = new Float64Array(shared, 8, 1);
  const data: SleeperData = { shared, timerSlackNs };
  const worker = new Worker(SLEEPER_ENTRY, { workerData: data });
  worker.on("message", (message: number | SleeperReady) => {
    if (typeof message !== "number") ready = message;
    // A wake for a time since replaced does nothing.
    else if (message === Atomics.load(control, GENERATION)) onWake();
  });
  worker.on("error", (error) => {
    throw new Error(`the pacer's sleeper thread failed: ${error.message}`);
  });
  return {
    timerSlackNs: () => ready?.timerSlackNs ?? null,
    arm(atMs) {
      askedMs[0] = atMs;
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
    },
    close() {
      Atomics.store(control, CLOSED, 1);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
      void worker.terminate();
    },
  };
}
