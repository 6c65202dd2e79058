import { describe, expect, it } from "vitest";
import { runLoad } from "../../bench/load/generator.ts";
import { createHistogram, recordMs } from "../../bench/load/histogram.ts";
import { BATCH_INTERVAL_MS, createPacer, PACING_STRATEGIES } from "../../bench/load/pacer.ts";
import type { Pacer, PacingStrategy } from "../../bench/load/pacer.ts";
import { createTimerPacer } from "../../bench/load/pacer-timer.ts";
import { measurePacingLateness, pacingFloorOf } from "../../bench/load/pacing-floor.ts";
import type { SendCallback } from "../../contract/index.ts";
import { createFakeClock, fakeSleeper } from "./fake-clock.ts";
import type { FakeClock } from "./fake-clock.ts";

describe("the pacing floor", () => {
  it("records how late each due time was served, as the load loop would have sent it", async () => {
    const clock = createFakeClock({ minDelayMs: 1 });
    const floor = measurePacingLateness(createTimerPacer(clock), clock, 4000, 2);
    clock.advanceTo(5);
    const h = await floor;
    // Due at 0 (served at once), .25–1 (the timer fires at 1), 1.25–1.75 (at 2): lateness 0, .75, .5, .25, 0, .75, .5, .25 ms.
    expect(h.totalCount).toBe(8);
    expect(h.mean).toBe(375);
    expect(pacingFloorOf(h, 250)).toEqual({ p50: 250, p99: 750, p999: 750, samples: 8, cpuUsPerSend: 31.3 });
  });

  it("summarizes percentiles in whole µs and CPU per due time to 0.1 µs, and an idle run with no due time as zeros", () => {
    const h = createHistogram();
    for (let i = 1; i <= 1000; i++) recordMs(h, i / 1000);
    expect(pacingFloorOf(h, 52_049)).toEqual({ p50: 500, p99: 990, p999: 999, samples: 1000, cpuUsPerSend: 52 });
    expect(pacingFloorOf(createHistogram(), 3000)).toEqual({ p50: 0, p99: 0, p999: 0, samples: 0, cpuUsPerSend: 0 });
  });
});

/** Each strategy on the fake clock: Node's 1 ms timer floor, 0.125 ms loop turns, a sleeper waking 0.1 ms late. */
function pacerOn(strategy: PacingStrategy, clock: FakeClock): Pacer {
  return createPacer(strategy, clock, fakeSleeper(clock, 0.1).start, { initialLeadMs: 0.25 });
}

/** A pacer that breaks the promise: it wakes 0.375 ms early, then a loop turn later each time it is asked again. */
function earlyPacer(clock: FakeClock): Pacer {
  return {
    strategy: "timer",
    piggyback: true,
    ready: Promise.resolve(),
    wakeAt(atMs, fn) {
      clock.at(Math.max(clock.now() + 0.125, atMs - 0.375), fn);
    },
    close() {},
  };
}

describe.each([...PACING_STRATEGIES, "early"] as const)("the load loop paced by %s", (name) => {
  it("never sends a request before its intended time", async () => {
    const clock = createFakeClock({ minDelayMs: 1, earlyMs: 0.5, turnMs: 0.125 });
    const sent: number[] = [];
    const answers: SendCallback[] = [];
    const client = {
      inFlight: 0,
      send(_seq: number, done: SendCallback) {
        sent.push(clock.now());
        answers.push(done);
      },
    };
    const pacer = name === "early" ? earlyPacer(clock) : pacerOn(name, clock);
    // 3000 req/s: due every 1/3 ms, at times no timer, turn or lead lands on exactly.
    const outcome = runLoad(client, { rps: 3000, warmupMs: 2, durationMs: 8, maxInFlight: 100, drainTimeoutMs: 5 }, clock, pacer);
    // batch's second wake is 10 ms after its first: a loop turn or two past the window's end.
    clock.advanceTo(name === "batch" ? 10.5 : 10);
    expect(sent.length).toBe(30);
    for (const [i, at] of sent.entries()) expect(at, `request ${i}`).toBeGreaterThanOrEqual((i * 1000) / 3000);
    for (const done of answers) done(null);
    // The window's end is a wake like any other: the drain starts when it comes.
    clock.advanceTo(20);
    const r = await outcome;
    expect(r.lateness.totalCount).toBe(24);
  });
});

/** The send times of 30 ms of 3000 req/s on the fake clock paced by `strategy`, each answered 0.5 ms after its send. */
async function sendTimes(strategy: PacingStrategy): Promise<number[]> {
  const clock = createFakeClock({ minDelayMs: 1, turnMs: 0.125 });
  const sent: number[] = [];
  const client = {
    inFlight: 0,
    send(_seq: number, done: SendCallback) {
      const at = clock.now();
      sent.push(at);
      // Answered between the wakes: a piggybacking strategy sends what is due from here.
      clock.at(at + 0.5, () => done(null));
    },
  };
  const outcome = runLoad(client, { rps: 3000, warmupMs: 0, durationMs: 30, maxInFlight: 1000, drainTimeoutMs: 5 }, clock, pacerOn(strategy, clock));
  clock.advanceTo(40);
  await outcome;
  return sent;
}

describe("the batch strategy", () => {
  it("sends what is due together, wakes at least 10 ms apart, and sends nothing from an answer's callback", async () => {
    const sent = await sendTimes("batch");
    expect(sent).toHaveLength(90);
    // The loop's first tick sends at once and asks for the next due time (1/3 ms): the pacer's first wake, 0.1 ms
    // late; from it on, wakes are BATCH_INTERVAL_MS apart, each sending all that fell due meanwhile.
    // 30 ms of load: five send times, the last three 30, 30 and 28 requests each (the learned lead moves them by µs).
    const times = [...new Set(sent)];
    expect(times.map((t) => Math.round(t * 10) / 10)).toEqual([0, 0.4, 10.4, 20.4, 30.4]);
    expect(times.map((t) => sent.filter((s) => s === t).length)).toEqual([1, 1, 30, 30, 28]);
    for (let i = 2; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(BATCH_INTERVAL_MS);
    // The same load paced by the worker sends from the answers too: more send times than its wakes would give.
    expect(new Set(await sendTimes("worker")).size).toBeGreaterThan(30);
  });
});
