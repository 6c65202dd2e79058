/**
 * The worker pacer's sleeper: a worker thread (bench/load/pacer-sleeper.ts) that waits in `Atomics.wait` on a
 * shared generation counter, with a fractional-ms timeout until the asked time, then posts the generation to the
 * event loop. Asking again bumps the generation; it notifies the thread only when the new time is before the one the
 * thread sleeps toward (or it sleeps with no time). A later time needs no wake-up: the thread finds it when its
 * timeout ends and sleeps on. Under load the loop sends from its I/O callbacks and asks for later and later times
 * (bench/load/generator.ts), and each wake of a sleeping thread costs this VM tens of µs of CPU.
 * The only I/O of the worker pacer.
 */
import { Worker } from "node:worker_threads";
import type { Sleeper } from "./pacer-worker.ts";

/** Int32 slots of the shared control block; the asked time is the Float64 after them. */
export const GENERATION = 0;
export const CLOSED = 1;
/** How many times the thread's `Atomics.wait` returned: its wake-ups, which tests count. */
export const WAKE_UPS = 2;
/** Byte offsets: the asked time (Float64, ms), then the time the thread sleeps toward (BigInt64, µs). */
export const ASKED_OFFSET = 16;
export const SLEEPING_OFFSET = 24;
export const CONTROL_BYTES = 32;
/** The thread waits with no timeout: any asked time is earlier. */
export const SLEEPING_FOREVER = 2n ** 62n;

/** The asked time as the sleeping slot holds it: whole µs, rounded down so that equal times compare equal. */
export function sleepingUs(atMs: number): bigint {
  return BigInt(Math.floor(atMs * 1000));
}

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
  let started: () => void = () => {};
  const isReady = new Promise<void>((resolve) => (started = resolve));
  const shared = new SharedArrayBuffer(CONTROL_BYTES);
  const control = new Int32Array(shared, 0, 3);
  const askedMs = new Float64Array(shared, ASKED_OFFSET, 1);
  const sleeping = new BigInt64Array(shared, SLEEPING_OFFSET, 1);
  const data: SleeperData = { shared, timerSlackNs };
  const worker = new Worker(SLEEPER_ENTRY, { workerData: data });
  worker.on("message", (message: number | SleeperReady) => {
    if (typeof message !== "number") {
      ready = message;
      started();
    }
    // A wake for a time since replaced does nothing.
    else if (message === Atomics.load(control, GENERATION)) onWake();
  });
  worker.on("error", (error) => {
    throw new Error(`the pacer's sleeper thread failed: ${error.message}`);
  });
  return {
    ready: isReady,
    timerSlackNs: () => ready?.timerSlackNs ?? null,
    arm(atMs) {
      askedMs[0] = atMs;
      Atomics.add(control, GENERATION, 1);
      // Read after the bump: a thread that has not yet waited on the old generation will not (its wait returns at once).
      // The new time is stored with the notification, so that the asks made before the woken thread runs (it shares
      // this CPU: not before the event loop yields) do not notify again: each is a futex syscall.
      const us = sleepingUs(atMs);
      if (us < Atomics.load(sleeping, 0)) {
        Atomics.store(sleeping, 0, us);
        Atomics.notify(control, GENERATION);
      }
    },
    wakeUps: () => Atomics.load(control, WAKE_UPS),
    close() {
      Atomics.store(control, CLOSED, 1);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
      void worker.terminate();
    },
  };
}
