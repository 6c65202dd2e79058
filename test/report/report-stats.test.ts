import { describe, expect, it } from "vitest";
import { mean, pairedRatio, ratioOfMeans, relativeSpread, sampleSd, spreadOf } from "../../bench/results/stats.ts";
import { relativeFactors } from "../../bench/results/run-view.ts";
import { formatFactor } from "../../bench/results/format.ts";
import { run, scenario } from "./make-result.ts";

describe("report statistics", () => {
  it("takes the sample standard deviation with n − 1 and has none for a single value", () => {
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
    // Σ(x − 5)² = 32; 32 / 7 — the population SD would be 2.
    expect(sampleSd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(sampleSd([3])).toBeNull();
  });

  it("drops nulls and non-finite values from a spread and reports the range", () => {
    expect(spreadOf([1, null, 3, Number.NaN, undefined])).toEqual({ n: 2, mean: 2, sd: Math.SQRT2, min: 1, max: 3 });
    expect(spreadOf([null])).toBeNull();
  });

  it("pairs repeats for a ratio: the mean of per-repeat ratios ± their sample SD", () => {
    // Ratios 2/1 = 2 and 6/2 = 3: mean 2.5, SD √0.5. The ratio of means (8/3 = 2.67) would differ.
    const s = pairedRatio(new Map([[1, 2], [2, 6]]), new Map([[1, 1], [2, 2]]));
    expect(s?.mean).toBe(2.5);
    expect(s?.sd).toBeCloseTo(Math.sqrt(0.5), 12);
    expect(formatFactor(s)).toBe("2.50 ± 0.71×");
  });

  it("drops a pair whose value is missing or whose baseline is zero", () => {
    const s = pairedRatio(new Map([[1, 4], [2, null], [3, 9]]), new Map([[1, 2], [2, 5], [3, 0]]));
    expect(s).toEqual({ n: 1, mean: 2, sd: null, min: 2, max: 2 });
    expect(formatFactor(s)).toBe("2.00×");
  });

  it("propagates both runs' spreads into a factor of two means", () => {
    const before = { n: 2, mean: 100, sd: 3, min: 0, max: 0 };
    const after = { n: 2, mean: 120, sd: 4, min: 0, max: 0 };
    const f = ratioOfMeans(before, after);
    expect(f?.factor).toBeCloseTo(1.2, 12);
    // σf = √((4/100)² + (120·3/100²)²) = √(0.0016 + 0.001296) = 0.053814…
    expect(f?.uncertainty).toBeCloseTo(Math.sqrt(0.0016 + 0.001296), 12);
    expect(relativeSpread(after)).toBeCloseTo(4 / 120, 12);
    expect(ratioOfMeans({ ...before, sd: null }, after)?.uncertainty).toBeNull();
    expect(ratioOfMeans({ ...before, mean: 0 }, after)).toBeNull();
  });

  it("computes every protocol's factor against the baseline from hand-made scenarios", () => {
    const result = run([
      scenario({ protocol: "http1", repeat: 1, packets: 2, serverRun: 100 }),
      scenario({ protocol: "grpc", repeat: 1, packets: 4, serverRun: 210 }),
      scenario({ protocol: "http1", repeat: 2, packets: 2, serverRun: 110 }),
      scenario({ protocol: "grpc", repeat: 2, packets: 4.2, serverRun: 220 }),
    ]);
    const rows = new Map(relativeFactors(result, "http1").map((r) => [r.metric, r.factors.get("grpc")]));
    expect(rows.get("packetsPerRequest")?.mean).toBeCloseTo(2.05, 12);
    expect(rows.get("packetsPerRequest")?.sd).toBeCloseTo(Math.sqrt(0.005), 12);
    // 210/100 = 2.1 and 220/110 = 2.0.
    expect(rows.get("cpuServerUsPerRequest")?.mean).toBeCloseTo(2.05, 12);
    expect(formatFactor(rows.get("cpuServerUsPerRequest") ?? null)).toBe("2.05 ± 0.07×");
  });

  it("leaves a contaminated window's system-wide figures out of the factors but keeps its own", () => {
    const result = run([
      scenario({ protocol: "http1", repeat: 1, netRx: 3, packets: 2 }),
      scenario({ protocol: "h2c", repeat: 1, netRx: 6, packets: 2, contaminated: true }),
      scenario({ protocol: "http1", repeat: 2, netRx: 3, packets: 2 }),
      scenario({ protocol: "h2c", repeat: 2, netRx: 3.3, packets: 2 }),
    ]);
    const rows = new Map(relativeFactors(result, "http1").map((r) => [r.metric, r.factors.get("h2c")]));
    expect(rows.get("softirqsPerRequest")?.n).toBe(1);
    expect(rows.get("softirqsPerRequest")?.sd).toBeNull();
    expect(rows.get("softirqsPerRequest")?.mean).toBeCloseTo(1.1, 12);
    expect(rows.get("packetsPerRequest")?.n).toBe(2);
  });
});
