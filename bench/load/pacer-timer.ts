/**
 * The `timer` pacer: Node's `setTimeout`, as the open loop always woke. libuv keeps timers in whole milliseconds
 * against a loop time cached at the start of each loop turn, so a timer fires up to a millisecond late (an idle
 * loop here: p50 0.54 ms, p99 1.4 ms; docs/kernel-notes.md § "The load generator clock") and can fire before the
 * time asked for by the cached time's age; then it is set again for what is left.
 */
import type { Pacer, PacerClock } from "./pacer.ts";

export function createTimerPacer(clock: Pick<PacerClock, "now" | "setTimeout">): Pacer {
  // Each wakeAt gets a number; a timer whose number is no longer current was replaced or closed, and does nothing.
  let current = 0;
  const arm = (id: number, atMs: number, fn: () => void): void => {
    clock.setTimeout(() => {
      if (id !== current) return;
      if (clock.now() < atMs) arm(id, atMs, fn);
      else {
        current++;
        fn();
      }
    }, Math.max(0, atMs - clock.now()));
  };
  return {
    strategy: "timer",
    piggyback: true,
    ready: Promise.resolve(),
    wakeAt(atMs, fn) {
      arm(++current, atMs, fn);
    },
    close() {
      current++;
    },
  };
}
