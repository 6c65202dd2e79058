import { describe, expect, it } from "vitest";
import { createArrivalSchedule, hostToLoadClock } from "../../bench/load/schedule.ts";
import { hostClockMs } from "../../bench/support/host-clock.ts";
import { runLoad } from "../../bench/load/generator.ts";
import type { LoadPlan } from "../../bench/load/generator.ts";
import type { RequestFailure, SendCallback } from "../../contract/index.ts";
import { createTimerPacer } from "../../bench/load/pacer-timer.ts";
import { createFakeClock } from "./fake-clock.ts";

describe("arrival schedule", () => {
  it("places request i at start + i * 1000 / rps without drift", () => {
    const s = createArrivalSchedule({ rps: 3, warmupMs: 1000, durationMs: 2000 }, 100);
    expect([0, 1, 2, 3, 300].map((i) => s.intendedMs(i))).toEqual([100, 100 + 1000 / 3, 100 + 2000 / 3, 1100, 100_100]);
    expect(s.firstMeasured).toBe(3);
    expect(s.endIndex).toBe(9);
    expect([s.windowStartMs, s.windowEndMs]).toEqual([1100, 3100]);
  });

  it("counts due requests, including one exactly at its time, and never past the end", () => {
    const s = createArrivalSchedule({ rps: 1000, warmupMs: 0, durationMs: 10 }, 0);
    expect(s.dueCount(-1)).toBe(0);
    expect(s.dueCount(0)).toBe(1);
    expect(s.dueCount(0.999)).toBe(1);
    expect(s.dueCount(1)).toBe(2);
    expect(s.dueCount(9.5)).toBe(10);
    expect(s.dueCount(500)).toBe(10);
  });

  it("puts a host-clock instant on the load clock by the two clocks' offset", () => {
    // Host clock 5 000 000.25 ms when the load clock read 1 234.5: a start 600 ms later on the host is 1 834.5 here.
    expect(hostToLoadClock(5_000_600.25, 5_000_000.25, 1234.5)).toBe(1834.5);
    expect(hostToLoadClock(5_000_000.25, 5_000_000.25, 1234.5)).toBe(1234.5);
  });

  it("relies on performance.now() and the host clock advancing together, as they do here", async () => {
    // The host clock is read first, so a gap between the reads only lowers the difference: the largest of five is best.
    const origin = (): number => Math.max(...Array.from({ length: 5 }, () => hostClockMs() - performance.now()));
    const before = origin();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Both are CLOCK_MONOTONIC: the origin between them does not move (a wall clock's would, by NTP steps).
    expect(Math.abs(origin() - before)).toBeLessThan(1);
  });

  it("measures rps × duration requests for rates that are not whole per millisecond", () => {
    const s = createArrivalSchedule({ rps: 7_000, warmupMs: 300, durationMs: 1_700 }, 0);
    expect(s.endIndex - s.firstMeasured).toBe(11_900);
  });
});

interface Sent {
  seq: number;
  atMs: number;
  done: SendCallback;
}

function fakeClient() {
  const sent: Sent[] = [];
  let inFlight = 0;
  let now = () => 0;
  return {
    sent,
    bindClock(fn: () => number) {
      now = fn;
    },
    get inFlight() {
      return inFlight;
    },
    send(seq: number, done: SendCallback) {
      inFlight++;
      sent.push({
        seq,
        atMs: now(),
        done: (f: RequestFailure | null) => {
          inFlight--;
          done(f);
        },
      });
    },
  };
}

const plan: LoadPlan = { rps: 1000, warmupMs: 5, durationMs: 10, maxInFlight: 100, drainTimeoutMs: 50 };

describe("open-loop load loop", () => {
  it("sends each request on its tick when timers are punctual", async () => {
    const clock = createFakeClock();
    const client = fakeClient();
    client.bindClock(clock.now);
    const outcome = runLoad(client, plan, clock, createTimerPacer(clock));
    clock.advanceTo(14.5);
    expect(client.sent.map((s) => s.atMs)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(client.sent.map((s) => s.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    // Nothing was answered, yet every request went out: the loop never waits for answers.
    expect(client.inFlight).toBe(15);
    for (const s of client.sent) s.done(null);
    clock.advanceTo(15);
    const result = await outcome;
    expect(result.requests).toBe(10);
    expect(result.completed).toBe(10);
    expect(result.lateness.maxValue).toBe(0);
  });

  it("sends everything due in one batch per tick when timers fire late, and what is due when an answer arrives", async () => {
    const clock = createFakeClock({ minDelayMs: 1 });
    const client = fakeClient();
    client.bindClock(clock.now);
    const outcome = runLoad(client, { ...plan, rps: 4000, warmupMs: 0, durationMs: 2 }, clock, createTimerPacer(clock));
    clock.advanceTo(1.5);
    expect(client.sent.map((s) => s.atMs)).toEqual([0, 1, 1, 1, 1]);
    // Request 2 (intended 0.25 ms, sent 1 ms) answered at 1.5 ms: 1250 µs from intended, 500 µs of service. Its
    // callback sends the two due by then (1.25 and 1.5 ms); the timer, asked again at 1.5 ms, next fires at 2.5 ms.
    client.sent[1]!.done(null);
    expect(client.sent.map((s) => s.atMs)).toEqual([0, 1, 1, 1, 1, 1.5, 1.5]);
    clock.advanceTo(2.5);
    expect(client.sent.map((s) => s.atMs)).toEqual([0, 1, 1, 1, 1, 1.5, 1.5, 2.5]);
    for (const s of [client.sent[0]!, ...client.sent.slice(2)]) s.done(null);
    const r = await outcome;
    expect(r.requests).toBe(8);
    expect(r.lateness.totalCount).toBe(8);
    // Lateness per request: 0, .75, .5, .25, 0, .25, 0, .75 ms.
    expect(r.lateness.maxValue).toBe(750);
    expect(r.lateness.mean).toBe(312.5);
    // The rest answered at 2.5 ms. Latency from intended, per request: 2500, 1250, 2000, 1750, 1500, 1250, 1000,
    // 750 µs; service time: 2500, 500, 1500, 1500, 1500, 1000, 1000, 0 µs.
    // Above 2048 µs the histogram's buckets are 2 µs wide (3 significant digits) and its mean takes each bucket's
    // middle in the mean (2500 counts as 2501), its lowest value in the max.
    expect(r.latency.mean).toBe(1500.125);
    expect(r.latency.maxValue).toBe(2500);
    expect(r.serviceLatency.mean).toBe(1187.625);
    expect(r.serviceLatency.minNonZeroValue).toBe(500);
  });

  it("starts at a scheduled instant, as several hosts do together, sending nothing before it", async () => {
    const clock = createFakeClock();
    const client = fakeClient();
    client.bindClock(clock.now);
    const phases: string[] = [];
    const outcome = runLoad(client, { ...plan, startAtMs: 20 }, clock, createTimerPacer(clock), { onPhase: (phase, at) => phases.push(`${phase}@${at}`) });
    clock.advanceTo(19.9);
    expect(client.sent).toEqual([]);
    clock.advanceTo(34.5);
    expect(client.sent.map((s) => s.atMs)).toEqual(Array.from({ length: 15 }, (_, i) => 20 + i));
    for (const s of client.sent) s.done(null);
    clock.advanceTo(35);
    const result = await outcome;
    expect(phases).toEqual(["measure@25", "drain@35"]);
    expect(result.requests).toBe(10);
    expect(result.lateness.maxValue).toBe(0);
  });

  it("refuses a scheduled start already past instead of sending its due requests in one burst", async () => {
    const clock = createFakeClock({ startMs: 12.25 });
    const client = fakeClient();
    await expect(runLoad(client, { ...plan, startAtMs: 10 }, clock, createTimerPacer(clock))).rejects.toThrow(
      "the scheduled start was missed by 2.3 ms; give the hosts a longer lead",
    );
    expect(client.sent).toEqual([]);
  });

  it("counts a request the in-flight cap refuses as an error of kind refused, and does not send it", async () => {
    const clock = createFakeClock();
    const client = fakeClient();
    client.bindClock(clock.now);
    const outcome = runLoad(client, { ...plan, warmupMs: 0, durationMs: 10, maxInFlight: 4 }, clock, createTimerPacer(clock));
    clock.advanceTo(10);
    expect(client.sent.length).toBe(4);
    for (const s of client.sent) s.done(null);
    const result = await outcome;
    expect(result.requests).toBe(10);
    expect(result.completed).toBe(4);
    expect(result.errors.refused).toBe(6);
    expect(result.errorSamples.refused).toMatch(/in-flight cap of 4/);
  });

  it("counts failures by kind and answers still missing after the drain as timeouts", async () => {
    const clock = createFakeClock();
    const client = fakeClient();
    client.bindClock(clock.now);
    const phases: string[] = [];
    const outcome = runLoad(client, { ...plan, warmupMs: 2, durationMs: 4 }, clock, createTimerPacer(clock), {
      onPhase: (phase, at) => phases.push(`${phase}@${at}`),
    });
    clock.advanceTo(6);
    expect(client.sent.length).toBe(6);
    client.sent[2]!.done({ kind: "mismatch", message: "seq 3 answered as 4" });
    client.sent[3]!.done({ kind: "status", message: "HTTP 500" });
    client.sent[4]!.done(null);
    clock.advanceTo(6 + plan.drainTimeoutMs);
    const result = await outcome;
    expect(phases).toEqual(["measure@2", "drain@6"]);
    expect(result.requests).toBe(4);
    expect(result.completed).toBe(1);
    expect(result.errors).toMatchObject({ mismatch: 1, status: 1, timeout: 1, refused: 0 });
    // Answers after the drain ended change nothing.
    client.sent[5]!.done(null);
    expect(result.completed).toBe(1);
  });
});

describe("a client that answers inside send", () => {
  it("sends each request once, in order, never nested, and opens the drain once, when its answers arrive synchronously", async () => {
    const fake = createFakeClock({ minDelayMs: 1 });
    // Each send takes 0.3 ms of the loop's time, so the answers handled inside one tick reach the window's end.
    let spentMs = 0;
    const clock = { ...fake, now: () => fake.now() + spentMs };
    const seqs: number[] = [];
    let depth = 0;
    let deepest = 0;
    // A closed client, or a connect that throws, calls back before send returns.
    const client = {
      inFlight: 0,
      send(seq: number, done: SendCallback) {
        deepest = Math.max(deepest, ++depth);
        seqs.push(seq);
        spentMs += 0.3;
        done({ kind: "reset", message: "closed" });
        depth--;
      },
    };
    const phases: string[] = [];
    const outcome = runLoad(client, { ...plan, rps: 4000, warmupMs: 0, durationMs: 2 }, clock, createTimerPacer(clock), { onPhase: (p) => void phases.push(p) });
    fake.advanceTo(10);
    const r = await outcome;
    // No send from inside another: the answer's callback does not start a tick within the tick that sent it.
    expect(deepest).toBe(1);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(phases).toEqual(["measure", "drain"]);
    expect(r.errors.reset).toBe(seqs.length);
  });
});
