import { describe, expect, it } from "vitest";
import { pastSaturation, sweepOrder, sweepRates } from "../../bench/sweep/plan.ts";
import { findKnee } from "../../bench/sweep/knee.ts";
import type { SweepPoint } from "../../bench/sweep/knee.ts";

describe("sweep steps", () => {
  it("spaces rates geometrically with 3 significant digits, ends exact", () => {
    expect(sweepRates({ from: 1000, to: 30_000, steps: 5, spacing: "geometric" })).toEqual([1000, 2340, 5480, 12_800, 30_000]);
  });

  it("spaces rates linearly", () => {
    expect(sweepRates({ from: 1000, to: 30_000, steps: 5, spacing: "linear" })).toEqual([1000, 8250, 15_500, 22_800, 30_000]);
    expect(sweepRates({ from: 100, to: 500, steps: 3, spacing: "linear" })).toEqual([100, 300, 500]);
    expect(sweepRates({ from: 700, to: 900, steps: 1, spacing: "linear" })).toEqual([700]);
  });

  it("runs every protocol at a step before the next step, rotating who goes first", () => {
    const order = sweepOrder(["http1", "grpc"], [1000, 2000], 1).map((s) => `${s.protocol}@${s.offered}`);
    expect(order).toEqual(["http1@1000", "grpc@1000", "grpc@2000", "http1@2000"]);
  });

  it("stops a protocol once clearly past saturation", () => {
    expect(pastSaturation([{ offeredRps: 1000, achievedRps: 1000, errorRate: 0 }])).toBe(false);
    expect(pastSaturation([{ offeredRps: 1000, achievedRps: 899, errorRate: 0 }])).toBe(true);
    expect(pastSaturation([{ offeredRps: 1000, achievedRps: 1000, errorRate: 0.05 }])).toBe(true);
    expect(
      pastSaturation([
        { offeredRps: 5000, achievedRps: 4900, errorRate: 0 },
        { offeredRps: 5200, achievedRps: 4800, errorRate: 0 },
      ]),
    ).toBe(true);
    expect(pastSaturation([])).toBe(false);
  });
});

function point(offeredRps: number, achievedRps: number, latencyP99Us: number, extra: Partial<SweepPoint> = {}): SweepPoint {
  return {
    offered: offeredRps,
    offeredRps,
    measuredPps: null,
    achievedRps,
    latencyP99Us,
    errors: 0,
    requests: offeredRps * 5,
    generatorSaturated: false,
    generatorReasons: [],
    serverSoftirqPct: null,
    serverUserPct: null,
    drops: null,
    ...extra,
  };
}

describe("knee detection", () => {
  const slo = 10_000;

  it("finds the last step under the SLO and the first past saturation", () => {
    const knee = findKnee([point(1000, 1000, 900), point(2000, 1999, 1200), point(4000, 3990, 4000), point(8000, 6000, 90_000)], slo);
    expect(knee).toEqual({ unit: "rps", knee: 4000, saturation: 8000, kneeRps: 4000, saturationRps: 8000, limitedBy: "server", why: "achieved 6000 of 8000 req/s, p99 90000 µs > SLO 10000 µs", livelockSteps: [] });
  });

  it("counts a step that breaks only the latency SLO as past the knee", () => {
    expect(findKnee([point(1000, 1000, 900), point(2000, 2000, 12_000)], slo)).toMatchObject({ kneeRps: 1000, saturationRps: 2000, why: "p99 12000 µs > SLO 10000 µs" });
  });

  it("does not let a lucky step after saturation move the knee", () => {
    expect(findKnee([point(1000, 1000, 900), point(2000, 1500, 50_000), point(3000, 3000, 900)], slo)).toMatchObject({ kneeRps: 1000, saturationRps: 2000 });
  });

  it("has no knee when even the first step fails, and no saturation when none does", () => {
    expect(findKnee([point(1000, 500, 900)], slo)).toMatchObject({ kneeRps: null, saturationRps: 1000 });
    expect(findKnee([point(1000, 1000, 900), point(2000, 2000, 900)], slo)).toMatchObject({ kneeRps: 2000, saturationRps: null, limitedBy: null, why: null });
  });

  it("blames the generator when it fell behind its schedule at the saturation step", () => {
    const knee = findKnee([point(1000, 1000, 900), point(9000, 8000, 30_000, { generatorSaturated: true, generatorReasons: ["send lateness p99 9000 µs > 2000 µs: the generator fell behind its schedule"] })], slo);
    expect(knee.limitedBy).toBe("generator");
  });

  it("marks steps where softirq share rose while delivered throughput fell", () => {
    const knee = findKnee(
      [
        point(50_000, 50_000, 900, { serverSoftirqPct: 30 }),
        point(100_000, 90_000, 90_000, { serverSoftirqPct: 60 }),
        point(200_000, 60_000, 900_000, { serverSoftirqPct: 89 }),
        point(300_000, 50_000, 900_000, { serverSoftirqPct: 88 }),
      ],
      slo,
    );
    expect(knee.livelockSteps).toEqual([200_000]);
  });

  it("compares a step with the step before, each the mean of its repeats, and leaves a few points of noise out", () => {
    const noisy = findKnee(
      [
        // Two repeats of one step: the second's higher share and lower rate are not a step.
        point(18_200, 18_321, 900, { serverSoftirqPct: 11.4 }),
        point(18_200, 18_239, 900, { serverSoftirqPct: 11.5 }),
        // Means 12.25% and 18 614 req/s: 0.85 points up, throughput up.
        point(33_000, 18_462, 900, { serverSoftirqPct: 10.4 }),
        point(33_000, 18_766, 900, { serverSoftirqPct: 14.1 }),
        // Means 16.05% and 16 192 req/s: 3.8 points up, 13% down — under the rise that counts.
        point(60_000, 19_107, 900, { serverSoftirqPct: 15.2 }),
        point(60_000, 13_276, 900, { serverSoftirqPct: 16.9 }),
      ],
      slo,
    );
    expect(noisy.livelockSteps).toEqual([]);
    const steep = findKnee([point(1000, 1000, 900, { serverSoftirqPct: 20 }), point(2000, 950, 900, { serverSoftirqPct: 25 }), point(4000, 903, 900, { serverSoftirqPct: 30 })], slo);
    // 5 points and 5% down count (2000); 5 points and 4.9% down do not (4000).
    expect(steep.livelockSteps).toEqual([2000]);
    // A repeat that failed (0 req/s, no share) is left out of its step's means, not taken for a fall.
    const failed = { ...point(2000, 0, 0, { serverSoftirqPct: null }), latencyP99Us: null };
    expect(findKnee([point(1000, 1000, 900, { serverSoftirqPct: 20 }), point(2000, 1000, 900, { serverSoftirqPct: 26 }), failed], slo).livelockSteps).toEqual([]);
  });
});
