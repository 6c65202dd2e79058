/**
 * The `spin` pacer: sleep on a timer until `SPIN_WINDOW_MS` before the due time, then poll with `setImmediate`
 * until it comes. Each poll is a loop turn (I/O is still handled between polls, with a zero epoll timeout), so the
 * wake lands within one turn of its time, at the price of a busy core whenever wakes are closer together than
 * the window (every rate above 500 req/s).
 */
import type { Pacer, PacerClock } from "./pacer.ts";

/** A timer may fire up to a tick late and its loop time may be a tick old: two ticks cover both. */
export const SPIN_WINDOW_MS = 2;

export function createSpinPacer(clock: PacerClock): Pacer {
  let current = 0;
  const poll = (id: number, atMs: number, fn: () => void): void => {
    if (id !== current) return;
    const leftMs = atMs - clock.now();
    if (leftMs <= 0) {
      current++;
      fn();
    } else if (leftMs > SPIN_WINDOW_MS) {
      clock.setTimeout(() => poll(id, atMs, fn), leftMs - SPIN_WINDOW_MS);
    } else {
      clock.setImmediate(() => poll(id, atMs, fn));
    }
  };
  return {
    strategy: "spin",
    piggyback: true,
    ready: Promise.resolve(),
    wakeAt(atMs, fn) {
      // Never called back from inside wakeAt: a loop that is behind must still give I/O a turn between batches.
      const id = ++current;
      clock.setImmediate(() => poll(id, atMs, fn));
    },
    close() {
      current++;
    },
  };
}
