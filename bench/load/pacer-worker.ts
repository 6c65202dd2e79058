/**
 * The `worker` pacer, event-loop side. A sleeper (bench/load/pacer-thread.ts: a worker thread in `Atomics.wait`)
 * wakes the event loop at about the time it is asked; what is left until the due time is polled with
 * `setImmediate`, so nothing runs early. The sleeper's wake-up takes some tens of µs (the futex's timer slack, the
 * thread switch, the message to the event loop), so it is asked for a learned lead before the due time: the median
 * of its recent wake-up latencies, which makes half the wakes a little early (polled) and half a little late.
 */
import type { Pacer, PacerClock } from "./pacer.ts";

/** What the worker pacer needs of its thread; tests give it a fake on the test's clock. */
export interface Sleeper {
  /** Calls the `onWake` given at start once, at about `atMs` on the shared clock; replaces an earlier request. */
  arm(atMs: number): void;
  close(): void;
  /** The sleeping thread's timer slack, ns, once known; null before, or where it cannot be read. */
  timerSlackNs(): number | null;
  /** Resolves once the thread runs and can be asked. */
  readonly ready: Promise<void>;
  /** How often the thread has woken so far (timeouts and notifications): what the sleeper costs. */
  wakeUps(): number;
}
export type StartSleeper = (onWake: () => void) => Sleeper;

/**
 * The lead before the first wake is measured: about the wake-up latency with a 1 ns timer slack here (the learned
 * lead settled at 42–130 µs on the shared VM; 105–180 µs with the default 50 µs slack).
 */
export const INITIAL_LEAD_MS = 0.05;
/**
 * How far one wake moves the lead: toward later by half a step when the wake was late, earlier by half when early
 * (a stochastic median: it settles where as many wakes are late as early). 2 µs crosses the usual range in ~50 wakes.
 */
export const LEAD_STEP_MS = 0.002;
/** A lead never above this: on a loaded machine the wake-up latency grows, and polling a long lead costs a core. */
export const MAX_LEAD_MS = 0.3;

/** The next lead after a wake `latencyMs` after the time the sleeper was asked for. Pure. */
export function nextLeadMs(leadMs: number, latencyMs: number): number {
  const moved = leadMs + (latencyMs > leadMs ? LEAD_STEP_MS / 2 : -LEAD_STEP_MS / 2);
  return Math.min(MAX_LEAD_MS, Math.max(0, moved));
}

export interface WorkerPacer extends Pacer {
  /** The lead the next sleep will use, ms. */
  leadMs(): number;
  /** The sleeper thread's timer slack, ns; null until it said, or where it cannot be read. */
  timerSlackNs(): number | null;
}

/**
 * The least time between two wakes: above 5000 sends a second, the sends due within 0.2 ms go out together. Each wake
 * costs this VM 50–100 µs of CPU, so the wakes per second are the pacer's cost: with sends every 50 µs (20000/s)
 * and a stand-in of 20 µs of work per send, 0.2 ms apart measured lateness p50 102 µs at 14 µs of CPU per send,
 * 0.5 ms 266 µs at 9.6 µs, 1 ms 555 µs at 6.4 µs, and the timer 1.1 ms at 2.9 µs (bench:pacer --work-us 20).
 * 0.2 ms keeps the p50 near 100 µs at any rate, which issue 10 asks of the generator.
 */
export const MIN_WAKE_INTERVAL_MS = 0.2;

export interface WorkerPacerOptions {
  /** Default MIN_WAKE_INTERVAL_MS. */
  readonly minIntervalMs?: number;
  /** Default INITIAL_LEAD_MS. */
  readonly initialLeadMs?: number;
}

export function createWorkerPacer(clock: PacerClock, startSleeper: StartSleeper, options: WorkerPacerOptions = {}): WorkerPacer {
  const minIntervalMs = options.minIntervalMs ?? MIN_WAKE_INTERVAL_MS;
  let current = 0;
  let leadMs = options.initialLeadMs ?? INITIAL_LEAD_MS;
  // The time the last wake that ran was for (not when it came: spacing from a late wake would carry its lateness on).
  let lastAtMs = Number.NEGATIVE_INFINITY;
  // The wake asked for; `askedMs` is when the sleeper was asked to wake, null once it woke or when it was not asked.
  let pending: { readonly id: number; readonly atMs: number; readonly fn: () => void; askedMs: number | null } | null = null;
  const poll = (id: number): void => {
    const p = pending;
    if (p === null || p.id !== id) return;
    if (clock.now() < p.atMs) {
      clock.setImmediate(() => poll(id));
      return;
    }
    pending = null;
    lastAtMs = p.atMs;
    p.fn();
  };
  const sleeper = startSleeper(() => {
    const p = pending;
    // A wake for a request since replaced or closed.
    if (p === null || p.askedMs === null) return;
    leadMs = nextLeadMs(leadMs, clock.now() - p.askedMs);
    p.askedMs = null;
    poll(p.id);
  });
  return {
    strategy: "worker",
    piggyback: true,
    ready: sleeper.ready,
    wakeAt(dueMs, fn) {
      const id = ++current;
      const atMs = Math.max(dueMs, lastAtMs + minIntervalMs);
      const askedMs = atMs - leadMs;
      if (askedMs <= clock.now()) {
        // Due within the lead (or past): no time to sleep; one loop turn, then as soon as it is due.
        pending = { id, atMs, fn, askedMs: null };
        clock.setImmediate(() => poll(id));
      } else {
        pending = { id, atMs, fn, askedMs };
        sleeper.arm(askedMs);
      }
    },
    close() {
      current++;
      pending = null;
      sleeper.close();
    },
    leadMs: () => leadMs,
    timerSlackNs: () => sleeper.timerSlackNs(),
  };
}
