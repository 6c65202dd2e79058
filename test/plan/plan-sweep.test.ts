import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { planCapacity } from "../../bench/plan/capacity-plan.ts";
import type { PlanOptions } from "../../bench/plan/capacity-plan.ts";
import { main } from "../../bench/plan/cli.ts";
import { isUsageError } from "../../bench/support/errors.ts";
import { loadFixture, loadSweepFixture, SWEEP_FIXTURE_PATH } from "../report/make-result.ts";
import { expectUsageError, runToolMain } from "../report/run-tool.ts";

const fixture = fileURLToPath(SWEEP_FIXTURE_PATH);
const sweep = loadSweepFixture();
const options: PlanOptions = { rps: 50_000, targetUtil: 0.7, sloP99Us: null, includeSaturated: false };

async function plan(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, env: {} });
  return { code, out: out.join(""), err: err.join("") };
}

describe("npm run plan on the frozen three-protocol sweep", () => {
  it("pins the Markdown plan for 50 000 req/s at the run's SLO", async () => {
    const r = await plan([fixture, "--rps", "50000"]);
    expect(r.code, r.err).toBe(0);
    await expect(r.out).toMatchFileSnapshot("./__snapshots__/sweep-three-protocols.plan.md");
  });

  it("pins the plan that uses the knee steps whose generator saturated", async () => {
    const r = await plan([fixture, "--rps", "50000", "--include-saturated"]);
    expect(r.code, r.err).toBe(0);
    await expect(r.out).toMatchFileSnapshot("./__snapshots__/sweep-three-protocols.include-saturated.plan.md");
  });
});

describe("planning a sweep from each protocol's knee", () => {
  it("uses the figures measured at the knee, not every step's average", () => {
    const p = planCapacity(sweep, { ...options, includeSaturated: true });
    const http1 = p.protocols.find((x) => x.protocol === "http1");
    expect(p.sweep).toEqual({ unit: "rps", rates: [500, 1140, 2620, 6000], sloP99Us: 10_000, sloFrom: "run", runSloP99Us: 10_000 });
    expect(http1?.knee).toEqual({ unit: "rps", knee: 2620, saturation: 6000, kneeRps: 2620, saturationRps: 6000, limitedBy: "generator", why: "p99 42591 µs > SLO 10000 µs", used: 2620, usedRps: 2620, reason: null });
    expect(http1?.scenarios).toEqual(["http1@2620"]);
    // http1@2620's server ran 63.019… µs per request: 1 000 000 / that per core, and 50 000 req/s at 70% needs 4.50 cores.
    expect(http1?.serverCpuUsPerRequest).toBeCloseTo(63.01926451120163, 9);
    expect(http1?.best?.rpsPerCore).toBeCloseTo(1e6 / 63.01926451120163, 6);
    expect(http1?.serverCores).toBeCloseTo((63.01926451120163 * 50_000) / 1e6 / 0.7, 9);
  });

  it("falls back below a knee whose generator saturated, and names a protocol with no usable step", () => {
    const p = planCapacity(sweep, options);
    expect(p.protocols.map((x) => [x.protocol, x.knee?.usedRps, x.knee?.reason])).toEqual([["http1", 1140, "the load generator saturated at the knee step"]]);
    expect(p.excluded.map((e) => e.protocol)).toEqual(["h2c", "grpc"]);
    expect(p.excluded[0]?.reason).toMatch(/^every step up to its knee \(1140 req\/s\) saturated the load generator/);
    expect(p.excluded[1]?.reason).toMatch(/no step met p99 ≤ 10\.00 ms.*it failed at 500 req\/s.*the load generator gave out first there/);
  });

  it("finds the knees again at --slo-p99", () => {
    const p = planCapacity(sweep, { ...options, sloP99Us: 50_000, includeSaturated: true });
    expect(p.sweep?.sloFrom).toBe("--slo-p99");
    // At p99 ≤ 50 ms: http1 (42.6 ms) and h2c (46.5 ms) meet it at every step; grpc breaks it at 2620 (54.2 ms).
    expect(p.protocols.map((x) => [x.protocol, x.knee?.kneeRps, x.knee?.saturationRps])).toEqual([["http1", 6000, null], ["h2c", 6000, null], ["grpc", 1140, 2620]]);
  });

  it("refuses when no protocol has a usable step within its knee", async () => {
    try {
      planCapacity(sweep, { ...options, sloP99Us: 1000, includeSaturated: true });
      expect.unreachable();
    } catch (error) {
      expect(isUsageError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^no protocol has a usable step within its knee: http1: no step met p99 ≤ 1\.00 ms/);
    }
    expectUsageError(await runToolMain("plan", [fixture, "--rps", "1000", "--slo-p99", "1ms"]), "no protocol has a usable step within its knee");
  });

  it("leaves a single-rate run's plan as it was", () => {
    const p = planCapacity(loadFixture(), { ...options, sloP99Us: 5000 });
    expect(p.sweep).toBeNull();
    expect(p.protocols.every((x) => x.knee === null)).toBe(true);
  });
});
