/** The driver measures each agent's clock offset from NTP's four timestamps, trusting the fastest round trip. */
import { describe, expect, it } from "vitest";
import { estimateOffset, measureClockOffset, sampleOffset, toAgentClock, toDriverClock } from "../../bench/hosts/clock-offset.ts";
import type { AgentTimes, ClockSample } from "../../bench/hosts/clock-offset.ts";

/** 2026-01-01T00:00:00Z on the driver's clock: epoch-sized times, where a lost fraction would show. */
const T0 = 1_767_225_600_000;

/** One exchange over a path of `outMs` and `backMs`, to an agent `offsetMs` ahead that holds it `holdMs`. */
function exchangeAt(sentMs: number, offsetMs: number, outMs: number, holdMs: number, backMs: number): ClockSample {
  const agentReceivedMs = sentMs + outMs + offsetMs;
  return { sentMs, agentReceivedMs, agentSentMs: agentReceivedMs + holdMs, receivedMs: sentMs + outMs + holdMs + backMs };
}

describe("one clock sample", () => {
  it("gives the offset and delay exactly over a symmetric path", () => {
    const s = exchangeAt(T0, 250, 2, 0.5, 2);
    expect(s).toEqual({ sentMs: T0, agentReceivedMs: T0 + 252, agentSentMs: T0 + 252.5, receivedMs: T0 + 4.5 });
    expect(sampleOffset(s)).toEqual({ offsetMs: 250, delayMs: 4 });
  });

  it("is off by half the asymmetry over an asymmetric path, within its own ± delay / 2", () => {
    // 1 ms out, 5 ms back: the reply's extra 4 ms reads as the agent being 2 ms further behind.
    const { offsetMs, delayMs } = sampleOffset(exchangeAt(T0, 250, 1, 0.5, 5));
    expect(offsetMs).toBe(248);
    expect(delayMs).toBe(6);
    expect(Math.abs(offsetMs - 250)).toBe((5 - 1) / 2);
    expect(Math.abs(offsetMs - 250)).toBeLessThanOrEqual(delayMs / 2);
  });

  it("refuses a sample no offset explains: the round trip shorter than the agent held it", () => {
    const s: ClockSample = { sentMs: T0, agentReceivedMs: T0 + 100, agentSentMs: T0 + 110, receivedMs: T0 + 4 };
    expect(() => sampleOffset(s)).toThrow(
      "a clock sample's delay is negative (-6 ms: the round trip 4 ms is shorter than the agent's 10 ms between receiving and replying)",
    );
  });

  it("refuses a sample with a time that is not a finite number", () => {
    const s: ClockSample = { sentMs: T0, agentReceivedMs: Number.NaN, agentSentMs: T0, receivedMs: T0 + 1 };
    expect(() => sampleOffset(s)).toThrow(`a clock sample's four times must be finite numbers, got ${T0}, NaN, ${T0}, ${T0 + 1}`);
    expect(() => sampleOffset({ ...s, agentReceivedMs: Infinity })).toThrow("must be finite numbers");
  });
});

describe("the offset from several samples", () => {
  it("takes the least-delay sample and ignores a slow one with a wrong offset", () => {
    const samples = [
      exchangeAt(T0, 250, 3, 0.5, 4), // delay 7, offset 249.5
      exchangeAt(T0 + 100, 250, 1, 0.5, 30), // queued on the way back: delay 31, offset 235.5
      exchangeAt(T0 + 200, 250, 1.5, 0.25, 1), // delay 2.5, offset 250.25
      exchangeAt(T0 + 300, 250, 2, 0.5, 2), // delay 4, offset 250
    ];
    expect(estimateOffset(samples)).toEqual({ offsetMs: 250.25, uncertaintyMs: 1.25, delayMs: 2.5, samples: 4 });
  });

  it("keeps the first of equally fast samples", () => {
    const samples = [exchangeAt(T0, 250, 1, 0, 3), exchangeAt(T0 + 100, 250, 3, 0, 1)];
    expect(estimateOffset(samples)).toEqual({ offsetMs: 249, uncertaintyMs: 2, delayMs: 4, samples: 2 });
  });

  it("refuses to estimate from no samples", () => {
    expect(() => estimateOffset([])).toThrow("cannot estimate a clock offset from no samples");
  });
});

describe("measuring over a connection", () => {
  /**
   * A driver clock the exchange advances, and an agent whose clock reads `agentOffsetMs` from it, holding each
   * request 0.25 ms; each round's path is the next [out, back] pair.
   */
  function fakeAgent(agentOffsetMs: number, paths: readonly (readonly [number, number])[]) {
    let driverMs = T0;
    let calls = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const now = (): number => driverMs;
    const exchange = async (): Promise<AgentTimes> => {
      const path = paths[calls++];
      if (path === undefined) throw new Error("more exchanges than paths");
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await Promise.resolve();
      driverMs += path[0];
      const agentReceivedMs = driverMs + agentOffsetMs;
      driverMs += 0.25;
      const agentSentMs = driverMs + agentOffsetMs;
      driverMs += path[1];
      inFlight--;
      return { agentReceivedMs, agentSentMs };
    };
    return { now, exchange, calls: () => calls, maxInFlight: () => maxInFlight };
  }

  it("returns the fastest round's offset, delay and uncertainty, one exchange at a time", async () => {
    const agent = fakeAgent(-1234.5, [
      [3, 3],
      [0.5, 1], // fastest: delay 1.5, and 0.25 ms off for its asymmetry
      [10, 0.5],
      [2, 1],
    ]);
    const estimate = await measureClockOffset(agent.exchange, 4, agent.now);
    expect(estimate).toEqual({ offsetMs: -1234.75, uncertaintyMs: 0.75, delayMs: 1.5, samples: 4 });
    expect(Math.abs(estimate.offsetMs - -1234.5)).toBeLessThanOrEqual(estimate.uncertaintyMs);
    expect(agent.calls()).toBe(4);
    expect(agent.maxInFlight()).toBe(1);
  });

  it("refuses rounds that are not a positive integer before exchanging anything", async () => {
    const agent = fakeAgent(0, [[1, 1]]);
    await expect(measureClockOffset(agent.exchange, 0, agent.now)).rejects.toThrow("clock offset rounds must be a positive integer, got 0");
    await expect(measureClockOffset(agent.exchange, 1.5, agent.now)).rejects.toThrow("got 1.5");
    expect(agent.calls()).toBe(0);
  });
});

describe("converting between the clocks", () => {
  it("adds the offset into the agent's clock and takes it off on the way back", () => {
    expect(toAgentClock(T0, -1234.5)).toBe(T0 - 1234.5);
    expect(toDriverClock(T0 - 1234.5, -1234.5)).toBe(T0);
    expect(toDriverClock(toAgentClock(T0 + 0.25, 250), 250)).toBe(T0 + 0.25);
    expect(toAgentClock(toDriverClock(T0 + 0.25, -1234.5), -1234.5)).toBe(T0 + 0.25);
  });
});
