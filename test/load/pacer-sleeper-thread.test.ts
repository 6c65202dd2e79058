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

  it("is not woken by a later time while it sleeps toward an earlier one: it finds the later time when its timeout ends", async () => {
    const wake = nextWake();
    sleeper = startSleeperThread(wake.onWake);
    const start = performance.now();
    sleeper.arm(start + 30);
    // Give the thread time to take the first ask and sleep toward it.
    await new Promise((r) => setTimeout(r, 10));
    const before = sleeper.wakeUps();
    for (let i = 1; i <= 20; i++) sleeper.arm(start + 30 + i);
    const at = await wake.woke;
    expect(at).toBeGreaterThanOrEqual(start + 50);
    // One wake-up at the first time's timeout, then the sleep on toward the last: each ask woke it would be 20 more.
    expect(sleeper.wakeUps() - before).toBeLessThanOrEqual(3);
    // An earlier time than the one it sleeps toward does wake it, at once.
    const again = nextWake();
    const s2 = startSleeperThread(again.onWake);
    try {
      const t = performance.now();
      s2.arm(t + 10_000);
      await new Promise((r) => setTimeout(r, 10));
      s2.arm(t + 15);
      expect(await again.woke).toBeGreaterThanOrEqual(t + 15);
      expect(performance.now() - t).toBeLessThan(10_000);
    } finally {
      s2.close();
    }
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
