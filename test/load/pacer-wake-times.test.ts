import { describe, expect, it } from "vitest";
import { createSpinPacer } from "../../bench/load/pacer-spin.ts";
import { createTimerPacer } from "../../bench/load/pacer-timer.ts";
import { createWorkerPacer, LEAD_STEP_MS, MAX_LEAD_MS, nextLeadMs } from "../../bench/load/pacer-worker.ts";
import type { Pacer } from "../../bench/load/pacer.ts";
import { createFakeClock, fakeSleeper } from "./fake-clock.ts";
import type { FakeClock } from "./fake-clock.ts";

/** Asks `pacer` for a wake at each time in turn, each asked from inside the previous wake; returns when each came. */
function wakes(clock: FakeClock, pacer: Pacer, times: readonly number[], untilMs: number): number[] {
  const woke: number[] = [];
  const ask = (i: number): void => {
    const at = times[i];
    if (at === undefined) return;
    pacer.wakeAt(at, () => {
      woke.push(clock.now());
      ask(i + 1);
    });
  };
  ask(0);
  clock.advanceTo(untilMs);
  return woke;
}

describe("the timer pacer", () => {
  it("wakes on Node's timer: no sooner than its 1 ms floor", () => {
    const clock = createFakeClock({ minDelayMs: 1 });
    expect(wakes(clock, createTimerPacer(clock), [0.25, 3], 10)).toEqual([1, 3]);
  });

  it("sets the timer again for what is left when it fires before its time", () => {
    const clock = createFakeClock({ minDelayMs: 1, earlyMs: 0.5 });
    // Asked at 0 for 3: fires at 2.5, is set again for 0.5 ms, which Node makes 1 ms, fired 0.5 ms early: 3.
    expect(wakes(clock, createTimerPacer(clock), [3], 10)).toEqual([3]);
  });

  it("drops a wake replaced by another, and every wake once closed", () => {
    const clock = createFakeClock();
    const pacer = createTimerPacer(clock);
    const woke: string[] = [];
    pacer.wakeAt(5, () => woke.push("first"));
    pacer.wakeAt(2, () => woke.push(`second@${clock.now()}`));
    clock.advanceTo(10);
    pacer.wakeAt(12, () => woke.push("third"));
    pacer.close();
    clock.advanceTo(20);
    expect(woke).toEqual(["second@2"]);
  });
});

describe("the spin pacer", () => {
  it("sleeps on a timer until 2 ms before the due time, then polls one loop turn at a time and wakes on it", () => {
    const clock = createFakeClock({ turnMs: 0.125 });
    let polls = 0;
    const counted = { ...clock, setImmediate: (fn: () => void) => (polls++, clock.setImmediate(fn)) };
    expect(wakes(clock, createSpinPacer(counted), [10], 20)).toEqual([10]);
    // One turn after wakeAt, then 16 turns of 0.125 ms from 8 ms to 10 ms.
    expect(polls).toBe(17);
  });

  it("wakes one loop turn later when the time has already come, never inside wakeAt", () => {
    const clock = createFakeClock({ startMs: 5, turnMs: 0.125 });
    expect(wakes(clock, createSpinPacer(clock), [4, 4], 6)).toEqual([5.125, 5.25]);
  });
});

describe("the worker pacer", () => {
  it("asks its sleeper for the lead before the due time, and wakes on time when the wake-up takes the lead", () => {
    const clock = createFakeClock();
    const sleeper = fakeSleeper(clock, 0.25);
    const pacer = createWorkerPacer(clock, sleeper.start, { initialLeadMs: 0.25, minIntervalMs: 0 });
    expect(wakes(clock, pacer, [10], 20)).toEqual([10]);
    expect(sleeper.asked).toEqual([9.75]);
  });

  it("polls what is left when the sleeper wakes early, and never wakes before the due time", () => {
    const clock = createFakeClock({ turnMs: 0.125 });
    const sleeper = fakeSleeper(clock, 0);
    const pacer = createWorkerPacer(clock, sleeper.start, { initialLeadMs: 0.25, minIntervalMs: 0 });
    // Woken at 9.75, polled at 9.875 and 10.
    expect(wakes(clock, pacer, [10], 20)).toEqual([10]);
  });

  it("wakes late by what the wake-up took beyond the lead", () => {
    const clock = createFakeClock();
    const pacer = createWorkerPacer(clock, fakeSleeper(clock, 0.5).start, { initialLeadMs: 0.25, minIntervalMs: 0 });
    expect(wakes(clock, pacer, [10], 20)).toEqual([10.25]);
  });

  it("moves its lead half a step toward each wake-up latency: later after a late wake, earlier after an early one", () => {
    const clock = createFakeClock();
    const pacer = createWorkerPacer(clock, fakeSleeper(clock, 0.5).start, { initialLeadMs: 0.25, minIntervalMs: 0 });
    wakes(clock, pacer, [10, 20], 30);
    expect(pacer.leadMs()).toBeCloseTo(0.25 + LEAD_STEP_MS, 12);
    expect(nextLeadMs(0.05, 0.01)).toBeCloseTo(0.05 - LEAD_STEP_MS / 2, 12);
    expect(nextLeadMs(0, 0)).toBe(0);
    expect(nextLeadMs(MAX_LEAD_MS, 5)).toBe(MAX_LEAD_MS);
  });

  it("does not sleep for a time within its lead: one loop turn, then as soon as it is due", () => {
    const clock = createFakeClock({ turnMs: 0.125 });
    const sleeper = fakeSleeper(clock, 0.25);
    const pacer = createWorkerPacer(clock, sleeper.start, { initialLeadMs: 0.25, minIntervalMs: 0 });
    expect(wakes(clock, pacer, [0.1, 0.3], 5)).toEqual([0.125, 0.375]);
    expect(sleeper.asked).toEqual([]);
  });

  it("spaces wakes the least interval apart, counted from the times woken for, not from when a late wake came", () => {
    const clock = createFakeClock();
    const pacer = createWorkerPacer(clock, fakeSleeper(clock, 0).start, { initialLeadMs: 0, minIntervalMs: 0.5 });
    // 1.25 moves to 1.5; 1.75 to 2; 3 is far enough from 2.
    expect(wakes(clock, pacer, [1, 1.25, 1.75, 3], 10)).toEqual([1, 1.5, 2, 3]);
  });

  it("drops a wake replaced by another, and closes its sleeper", () => {
    const clock = createFakeClock();
    const pacer = createWorkerPacer(clock, fakeSleeper(clock, 0).start, { initialLeadMs: 0, minIntervalMs: 0 });
    const woke: string[] = [];
    pacer.wakeAt(5, () => woke.push("first"));
    pacer.wakeAt(2, () => woke.push(`second@${clock.now()}`));
    clock.advanceTo(10);
    pacer.wakeAt(12, () => woke.push("third"));
    pacer.close();
    clock.advanceTo(20);
    expect(woke).toEqual(["second@2"]);
  });
});
