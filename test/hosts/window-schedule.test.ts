/** The driver starts every client host's load at one instant, named in each agent's clock, with arrivals interleaved. */
import { describe, expect, it } from "vitest";
import { scheduleWindows, splitRate } from "../../bench/hosts/window-schedule.ts";
import type { WindowPlan, WindowSchedule } from "../../bench/hosts/window-schedule.ts";

/** 2026-01-01T00:00:00Z on the driver's clock. */
const T0 = 1_767_225_600_000;

describe("splitting the rate over hosts", () => {
  it("splits an integer rate into integers that sum to it, the first hosts taking the remainder", () => {
    expect(splitRate(1000, 2)).toEqual([500, 500]);
    expect(splitRate(1000, 3)).toEqual([334, 333, 333]);
    expect(splitRate(7, 4)).toEqual([2, 2, 2, 1]);
    expect(splitRate(1, 1)).toEqual([1]);
    for (const [rps, hosts] of [[1000, 3], [7, 4], [100_003, 5], [2, 3]] as const) {
      expect(splitRate(rps, hosts).reduce((a, b) => a + b, 0)).toBe(rps);
    }
    expect(splitRate(2, 3)).toEqual([1, 1, 0]);
  });

  it("splits any other rate evenly", () => {
    expect(splitRate(1500.5, 2)).toEqual([750.25, 750.25]);
  });

  it("refuses a host count that is not a positive integer, and a rate that is not positive", () => {
    expect(() => splitRate(1000, 0)).toThrow("a rate splits over a positive whole number of hosts, got 0");
    expect(() => splitRate(1000, 1.5)).toThrow("got 1.5");
    expect(() => splitRate(0, 2)).toThrow("a rate to split must be a positive number of requests per second, got 0");
    expect(() => splitRate(Number.NaN, 2)).toThrow("got NaN");
  });
});

const twoHosts: WindowPlan = {
  driverNowMs: T0,
  leadMs: 500,
  warmupMs: 1000,
  durationMs: 5000,
  rps: 1000,
  clients: [
    { host: "client-a", offsetMs: 250, uncertaintyMs: 0.75 },
    { host: "client-b", offsetMs: -1234.5, uncertaintyMs: 2 },
  ],
};

/** The first `n` arrivals of every host together, on the driver's clock, as the open-loop schedule places them. */
function mergedArrivals(s: WindowSchedule, offsets: readonly number[], n: number): number[] {
  return s.clients
    .flatMap((c, i) => Array.from({ length: n }, (_, j) => c.startAgentMs - (offsets[i] ?? 0) + c.firstArrivalDelayMs + (j * 1000) / c.rps))
    .sort((a, b) => a - b)
    .slice(0, n);
}

describe("the window schedule", () => {
  it("starts both hosts at one instant in each one's clock, interleaved 1 ms apart, over one window", () => {
    expect(scheduleWindows(twoHosts)).toEqual({
      startDriverMs: T0 + 500,
      windowStartDriverMs: T0 + 1500,
      windowEndDriverMs: T0 + 6500,
      alignmentErrorMs: 2,
      clients: [
        { host: "client-a", rps: 500, startAgentMs: T0 + 750, firstArrivalDelayMs: 0 },
        { host: "client-b", rps: 500, startAgentMs: T0 - 734.5, firstArrivalDelayMs: 1 },
      ],
    });
  });

  it("merges equal shares into one evenly spaced stream at the total rate", () => {
    const four = scheduleWindows({
      ...twoHosts,
      clients: [0, 1, 2, 3].map((i) => ({ host: `c${i}`, offsetMs: 10 * i, uncertaintyMs: 0.5 })),
    });
    expect(four.clients.map((c) => [c.rps, c.firstArrivalDelayMs])).toEqual([[250, 0], [250, 1], [250, 2], [250, 3]]);
    expect(mergedArrivals(four, [0, 10, 20, 30], 12)).toEqual(Array.from({ length: 12 }, (_, n) => T0 + 500 + n));
    expect(mergedArrivals(scheduleWindows(twoHosts), [250, -1234.5], 6)).toEqual([0, 1, 2, 3, 4, 5].map((n) => T0 + 500 + n));
  });

  it("gives unequal shares of an integer rate the same interleave", () => {
    const three = scheduleWindows({
      ...twoHosts,
      clients: ["a", "b", "c"].map((host) => ({ host, offsetMs: 0, uncertaintyMs: 0 })),
    });
    expect(three.clients.map((c) => [c.rps, c.firstArrivalDelayMs])).toEqual([[334, 0], [333, 1], [333, 2]]);
    expect(three.alignmentErrorMs).toBe(0);
  });

  it("refuses a lead that is not more than twice the largest uncertainty", () => {
    expect(() => scheduleWindows({ ...twoHosts, leadMs: 4 })).toThrow(
      "a start 4 ms ahead may already have passed on a host whose clock is known to ±2 ms; the lead must be more than 4 ms",
    );
    expect(scheduleWindows({ ...twoHosts, leadMs: 4.25 }).startDriverMs).toBe(T0 + 4.25);
  });

  it("refuses non-positive durations and rates, and a rate that leaves a host nothing to send", () => {
    expect(() => scheduleWindows({ ...twoHosts, durationMs: 0 })).toThrow("the measured window must be a positive duration, got 0 ms");
    expect(() => scheduleWindows({ ...twoHosts, warmupMs: -1 })).toThrow("the warm-up must be a duration of 0 ms or more, got -1 ms");
    expect(scheduleWindows({ ...twoHosts, warmupMs: 0 }).windowStartDriverMs).toBe(T0 + 500);
    expect(() => scheduleWindows({ ...twoHosts, rps: 0 })).toThrow("the offered rate must be positive, got 0 req/s");
    expect(() => scheduleWindows({ ...twoHosts, rps: -5 })).toThrow("got -5 req/s");
    expect(() => scheduleWindows({ ...twoHosts, rps: 1 })).toThrow(
      "1 req/s over 2 client hosts leaves client-b nothing to send; use fewer hosts or a higher rate",
    );
  });

  it("refuses no clients and a client clock it cannot use", () => {
    expect(() => scheduleWindows({ ...twoHosts, clients: [] })).toThrow("a window schedule needs at least one client host");
    expect(() => scheduleWindows({ ...twoHosts, clients: [{ host: "x", offsetMs: Number.NaN, uncertaintyMs: 1 }] })).toThrow(
      "host x's clock offset must be finite, got NaN",
    );
    expect(() => scheduleWindows({ ...twoHosts, clients: [{ host: "x", offsetMs: 0, uncertaintyMs: -1 }] })).toThrow(
      "host x's clock uncertainty must be 0 ms or more, got -1",
    );
  });
});
