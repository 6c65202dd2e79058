import { describe, expect, it } from "vitest";
import { planCapacity } from "../../bench/plan/capacity-plan.ts";
import { planToMarkdown } from "../../bench/plan/plan-markdown.ts";
import { toMarkdown } from "../../bench/report/markdown.ts";
import { sweepChartSpecs } from "../../bench/report/sweep-chart-specs.ts";
import { curveRows } from "../../bench/report/sweep-data.ts";
import { findKnee } from "../../bench/sweep/knee.ts";
import type { SweepPoint } from "../../bench/sweep/knee.ts";
import { formatLoad, sweepOrder, sweepRates } from "../../bench/sweep/plan.ts";
import { renderSweepSummary } from "../../bench/report/table.ts";
import { loadPpsSweepFixture } from "../report/make-result.ts";

function point(offered: number, offeredRps: number, achievedRps: number, latencyP99Us: number): SweepPoint {
  return {
    offered,
    offeredRps,
    measuredPps: offered,
    achievedRps,
    latencyP99Us,
    errors: 0,
    requests: offeredRps * 5,
    generatorSaturated: false,
    generatorReasons: [],
    serverSoftirqPct: null,
    serverUserPct: null,
    drops: null,
  };
}

describe("a sweep by packets per second: steps and knees", () => {
  it("steps packet rates as it steps request rates", () => {
    expect(sweepRates({ from: 20_000, to: 200_000, steps: 5, spacing: "geometric" })).toEqual([20_000, 35_600, 63_200, 112_000, 200_000]);
    expect(sweepOrder(["h2c"], [20_000, 35_600], 1)).toEqual([
      { protocol: "h2c", step: 0, offered: 20_000, repeat: 1 },
      { protocol: "h2c", step: 1, offered: 35_600, repeat: 1 },
    ]);
  });

  it("names the knee in packets/s, with the calibrated request rate beside it", () => {
    // h2c-like: packets per request fall with load (2.0, 1.4, 0.8), so the request rates climb faster than the steps.
    const knee = findKnee([point(20_000, 10_000, 10_000, 900), point(35_600, 25_400, 25_300, 2000), point(63_200, 79_000, 41_000, 80_000)], 10_000, "pps");
    expect(knee).toEqual({
      unit: "pps",
      knee: 35_600,
      saturation: 63_200,
      kneeRps: 25_400,
      saturationRps: 79_000,
      limitedBy: "server",
      why: "achieved 41000 of 79000 req/s, p99 80000 µs > SLO 10000 µs",
      livelockSteps: [],
    });
    expect(formatLoad("pps", knee.knee ?? 0, knee.kneeRps)).toBe("35600 packets/s (≈ 25400 req/s)");
    expect(formatLoad("rps", 5480, 5480)).toBe("5480 req/s");
  });

  it("takes the lowest calibrated request rate of a step's repeats, and says nothing of a rate an errored step never reached", () => {
    const errored: SweepPoint = { ...point(63_200, 1000, 0, 0), latencyP99Us: null, errors: 1, measuredPps: null };
    const knee = findKnee([point(20_000, 10_100, 10_100, 900), point(20_000, 9_800, 9_800, 950), errored], 10_000, "pps");
    expect(knee).toMatchObject({ knee: 20_000, kneeRps: 9_800, saturation: 63_200, saturationRps: null, why: "the scenario did not complete, 1 errors" });
  });
});

describe("a sweep by packets per second: the run's summary, stdout, report and plan", () => {
  const result = loadPpsSweepFixture();

  it("groups scenarios by their step's packet rate and finds each protocol's knee there", () => {
    expect(result.sweep?.unit).toBe("pps");
    expect(result.sweep?.rates).toEqual([1000, 2000, 4000, 8000]);
    const http1 = result.sweep?.protocols.http1;
    expect(http1?.points.map((p) => [p.offered, p.offeredRps, p.measuredPps])).toEqual([
      [1000, 500, 1002.8],
      [2000, 1140, 2291.2],
      [4000, 2620, 5241.2],
      [8000, 6000, 11_995.9],
    ]);
    expect(http1?.knee).toEqual({ unit: "pps", knee: 4000, saturation: 8000, kneeRps: 2620, saturationRps: 6000, limitedBy: "generator", why: "p99 42591 µs > SLO 10000 µs", livelockSteps: [] });
  });

  it("prints the knee lines in packets/s", () => {
    expect(renderSweepSummary(result.sweep ?? (null as never))).toBe(
      [
        "knees (p99 SLO 10.00 ms, achieved ≥ 99% of offered, no errors):",
        "  http1: knee at 4000 packets/s (≈ 2620 req/s), saturated at 8000 packets/s (≈ 6000 req/s) (p99 42591 µs > SLO 10000 µs; limited by the generator)",
        "  h2c: knee at 2000 packets/s (≈ 1140 req/s), saturated at 4000 packets/s (≈ 2620 req/s) (p99 15583 µs > SLO 10000 µs; limited by the generator)",
        "  grpc: no step met the SLO, saturated at 1000 packets/s (≈ 500 req/s) (p99 30271 µs > SLO 10000 µs; limited by the generator)",
        "",
      ].join("\n"),
    );
  });

  it("draws the sweep charts against offered packets/s, the throughput chart as measured against offered packets/s", () => {
    const [throughput, ...rest] = sweepChartSpecs(result);
    const text = JSON.stringify(throughput?.spec);
    expect(text).toContain('"field":"offered","type":"quantitative","title":"offered packets/s (pps, server interface)"');
    expect(text).toContain('"title":"measured packets/s"');
    expect(text).toContain('"label":"measured = offered"');
    for (const chart of rest) expect(JSON.stringify(chart.spec), chart.id).toContain('"title":"offered packets/s (pps, server interface)"');
    expect(curveRows(result, "measuredPps", "achieved").filter((r) => r.protocol === "h2c").map((r) => [r.offered, r.value, r.knee])).toEqual([
      [1000, 1038.9, false],
      [2000, 2368.1, true],
      [4000, 5020.2, false],
      [8000, 6443.5, false],
    ]);
  });

  it("pins the report's Markdown", async () => {
    const md = toMarkdown(result, { baselineProtocol: "http1", charts: [] });
    expect(md).toContain("**http1**: knee at 4000 packets/s (≈ 2620 req/s); past saturation at 8000 packets/s (≈ 6000 req/s)");
    expect(md).toContain("| offered packets/s | calibrated req/s | measured packets/s | achieved req/s |");
    expect(md).toContain("| 4000 (knee) | 2620.0 | 5241.2 | 2618.7 |");
    expect(md).toContain("**Side by side at 1000 packets/s.**");
    expect(md).toContain("## Relative to http1 at 1000 packets/s");
    await expect(md).toMatchFileSnapshot("./__snapshots__/sweep-by-pps.report.md");
  });

  it("plans in req/s from each protocol's knee in packets/s", async () => {
    const plan = planCapacity(result, { rps: 50_000, targetUtil: 0.7, sloP99Us: null, includeSaturated: true });
    expect(plan.sweep).toEqual({ unit: "pps", rates: [1000, 2000, 4000, 8000], sloP99Us: 10_000, sloFrom: "run", runSloP99Us: 10_000 });
    const http1 = plan.protocols.find((p) => p.protocol === "http1");
    expect(http1?.knee).toEqual({ unit: "pps", knee: 4000, saturation: 8000, kneeRps: 2620, saturationRps: 6000, limitedBy: "generator", why: "p99 42591 µs > SLO 10000 µs", used: 4000, usedRps: 2620, reason: null });
    expect(http1?.scenarios).toEqual(["http1@4000pps"]);
    // The same scenario as the sweep by rps at 2620 req/s: 63.019… server µs per request, 50 000 req/s at 70%.
    expect(http1?.serverCores).toBeCloseTo((63.01926451120163 * 50_000) / 1e6 / 0.7, 9);
    // Without saturated steps: below the knee, at 2000 packets/s (1140 req/s).
    const strict = planCapacity(result, { rps: 50_000, targetUtil: 0.7, sloP99Us: null, includeSaturated: false });
    expect(strict.protocols.map((p) => [p.protocol, p.knee?.used, p.knee?.usedRps, p.knee?.reason])).toEqual([["http1", 2000, 1140, "the load generator saturated at the knee step"]]);
    const md = planToMarkdown(plan, result);
    expect(md).toContain("4000 packets/s (≈ 2620 req/s) — **limited by the generator**: one server core's real capacity at this SLO is at least 2620 req/s");
    await expect(md).toMatchFileSnapshot("./__snapshots__/sweep-by-pps.plan.md");
  });
});
