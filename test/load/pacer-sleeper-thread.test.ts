/**
 * The worker pacer's one piece of I/O, the sleeper thread, for real: it wakes the event loop once per request, never
 * before the time asked, ignores requests replaced before their time, and sets its own timer slack. No timing
 * threshold: only the order of events and "not before".
 */
import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { startSleeperThread, SLEEPER_TIMER_SLACK_NS } from "../../bench/load/pacer-thread.ts";
import type { Sleeper } from "../../bench/load/pacer-worker.ts";

let sleeper: Sleeper | undefined;
afterEach(() => sleeper?.close());

function nextWake(): { woke: Promise<number>; onWake: () => void } {
  let resolve: (ms: number) => void = () => {};
  const woke = new Promise<number>((r) => (resolve = r));
  return { woke, onWake: () => resolve(performance.now()) };
}

describe("the sleeper thread", () => {
  it("wakes the event loop no sooner than the time asked, once per request, the last request replacing the earlier", async () => {
    const wakes: number[] = [];
    let first = nextWake();
    sleeper = startSleeperThread(() => {
      wakes.push(performance.now());
      first.onWake();
    });
    const replacedAt = performance.now() + 10_000;
    sleeper.arm(replacedAt);
    const askedAt = performance.now() + 5;
    sleeper.arm(askedAt);
    const at = await first.woke;
    expect(at).toBeGreaterThanOrEqual(askedAt);
    first = nextWake();
    const againAt = performance.now() + 2;
    sleeper.arm(againAt);
    expect(await first.woke).toBeGreaterThanOrEqual(againAt);
    expect(wakes.length).toBe(2);
  });

  it("sets its own thread's timer slack to 1 ns where /proc allows it", async () => {
    const wake = nextWake();
    sleeper = startSleeperThread(wake.onWake);
    sleeper.arm(performance.now() + 1);
    await wake.woke;
    // Its first message, sent before it first sleeps, has arrived by the time of the wake.
    expect(sleeper.timerSlackNs()).toBe(process.platform === "linux" ? SLEEPER_TIMER_SLACK_NS : null);
  });
});
