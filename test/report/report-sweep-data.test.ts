import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Protocol } from "../../contract/index.ts";
import type { CompletedScenario, RunResult } from "../../bench/results/schema.ts";
import type { Knee } from "../../bench/sweep/knee.ts";
import { curveRows, kneeLabel, sweepStepRows } from "../../bench/report/sweep-data.ts";
import { serverDrops } from "../../bench/results/sweep-summary.ts";
import { kneeSentence } from "../../bench/report/sweep-section.ts";
import { atOfferedRate, comparisonStep } from "../../bench/results/sweep-view.ts";
import { loadFixture, loadSweepFixture } from "./make-result.ts";

const sweep = loadSweepFixture();

/** The sweep fixture with some protocols' recorded knees replaced. */
function withKnees(knees: Partial<Record<Protocol, Partial<Knee>>>): RunResult {
  const run = loadSweepFixture();
  const protocols = { ...run.sweep?.protocols };
  for (const [p, k] of Object.entries(knees) as [Protocol, Partial<Knee>][]) {
    const entry = protocols[p];
    if (entry !== undefined) protocols[p] = { ...entry, knee: { ...entry.knee, ...k } };
  }
  return { ...run, sweep: run.sweep === null ? null : { ...run.sweep, protocols } };
}

const knee = (k: Partial<Knee>): Knee => ({ unit: "rps", knee: k.kneeRps ?? null, saturation: k.saturationRps ?? null, kneeRps: null, saturationRps: null, limitedBy: null, why: null, livelockSteps: [], ...k });

describe("the one rate a sweep's side-by-side tables use", () => {
  it("falls back to the lowest step every protocol completed when one protocol has no knee", () => {
    // grpc broke the SLO at every step (its knee is null), so no step has every protocol within its knee.
    expect(comparisonStep(sweep)).toEqual({ offered: 500, unit: "rps", basis: "lowest-completed", withoutKnee: ["grpc"] });
  });

  it("takes the highest step at which every protocol was within its knee", () => {
    // Knees 2620 (http1), 1140 (h2c), 2620 (grpc): 1140 is the highest step at or below all three.
    const run = withKnees({ grpc: { kneeRps: 2620 } });
    expect(comparisonStep(run)).toEqual({ offered: 1140, unit: "rps", basis: "within-knees", withoutKnee: [] });
  });

  it("skips a step where a protocol did not complete", () => {
    const run = withKnees({ grpc: { kneeRps: 2620 } });
    const broken: RunResult = {
      ...run,
      scenarios: run.scenarios.map((s) => (s.name === "h2c@1140" ? { ...s, state: "errored", error: "server exited" } as unknown as typeof s : s)),
    };
    expect(comparisonStep(broken)?.offered).toBe(500);
  });

  it("is null for a single-rate run, including results written before sweeps existed", () => {
    expect(comparisonStep(loadFixture())).toBeNull();
  });

  it("cuts the run down to one rate, reported as that rate", () => {
    const at = atOfferedRate(sweep, 1140);
    expect(at.scenarios.map((s) => s.name)).toEqual(["h2c@1140", "grpc@1140", "http1@1140"]);
    expect(at.config.rps).toBe(1140);
  });
});

describe("sweep rows", () => {
  it("reads every figure of a protocol's steps, by offered rate", () => {
    const rows = sweepStepRows(sweep, "http1");
    expect(rows.map((r) => r.offeredRps)).toEqual([500, 1140, 2620, 6000]);
    const r = rows[1];
    expect(r?.scenario).toBe("http1@1140");
    expect(r?.achievedRps).toBe(1140);
    expect(r?.p99Us).toBe(2887);
    expect(r?.errors).toBe(0);
    // /proc/stat on the server's CPU 1 over the 1499.22 ms window: softirq 40 000 µs → 2.7%, user 120 000 µs → 8.0%.
    expect(r?.serverSoftirqPct).toBe(2.7);
    expect(r?.serverUserPct).toBe(8);
    expect(r?.drops).toBe(0);
    expect(r?.packetsPerRequest).toBeCloseTo(2.008771929824561, 12);
    expect(r?.cpuServerUs).toBeCloseTo(115.94452222222222, 12);
    expect(r?.cpuClientUs).toBeCloseTo(159.57263567251462, 12);
    expect(r?.kernelUs).toBeCloseTo(23.391812865497077, 12);
    expect(r?.generatorSaturated).toBe(false);
    expect(rows[3]?.generatorKinds).toEqual(["send-lateness"]);
  });

  it("takes the server CPU's shares and kernel time from eBPF where the run measured them so", () => {
    const reference = JSON.parse(readFileSync(new URL("../../results/reference/sweep/result.json", import.meta.url), "utf8")) as RunResult;
    const r = sweepStepRows(reference, "http1").find((row) => row.scenario === "http1@17000");
    // totals.cpuAttribution on the server's CPU 1: NET_RX 1 013 797.295 + NET_TX 0 + other 1195.538 µs of softirq and
    // 3 856 986.897 µs of the server's user time over a wall of 8 001 047.228 µs. /proc/stat's ticks in the same
    // window read 3 450 000 µs of softirq: 43.1%.
    expect(r?.serverSoftirqPct).toBe(12.7);
    expect(r?.serverUserPct).toBe(48.2);
    // perRequest: NET_RX 7.45450150002206 + NET_TX 0 + other 0.008790849865439198 + hard IRQ 0.8336166193620494.
    expect(r?.kernelUs).toBeCloseTo(8.296908969249548, 12);
  });

  it("sums only drop counters that never count a drop twice", () => {
    const s = structuredClone(sweep.scenarios[0]) as CompletedScenario;
    const none = { listenOverflows: 0, listenDrops: 0, tcpReqQFullDrop: 0, tcpBacklogDrop: 0, tcpRcvQDrop: 0, tcpOfoDrop: 0, tcpZeroWindowDrop: 0, udpRcvbufErrors: 0, udpInErrors: 0 };
    const server = { ...none, listenOverflows: 5, listenDrops: 7, tcpReqQFullDrop: 1, tcpBacklogDrop: 2, udpRcvbufErrors: 1, udpInErrors: 3 };
    const totals = s.totals as NonNullable<CompletedScenario["totals"]>;
    // ListenDrops (7) already holds the 5 overflows and the 1 request-queue drop; InErrors (3) the 1 RcvbufError.
    expect(serverDrops({ ...s, totals: { ...totals, drops: { server, client: none } } })).toBe(12);
    expect(serverDrops({ ...s, totals: { ...totals, drops: { server: null, client: none } } })).toBeNull();
    expect(serverDrops({ ...s, totals: { ...totals, drops: { server: { ...none, listenDrops: null, tcpBacklogDrop: 4, tcpRcvQDrop: null }, client: null } } })).toBe(4);
    const { drops: _, ...older } = totals;
    expect(serverDrops({ ...s, totals: older })).toBeNull();
  });

  it("gives one curve point per protocol and rate, with the knee marked and labelled", () => {
    const rows = curveRows(sweep, "achievedRps", "achieved").filter((r) => r.protocol !== "grpc");
    expect(rows).toEqual([
      { protocol: "http1", offered: 500, series: "achieved", value: 500, knee: false, kneeLabel: "knee ≥ 2620" },
      { protocol: "http1", offered: 1140, series: "achieved", value: 1140, knee: false, kneeLabel: "knee ≥ 2620" },
      { protocol: "http1", offered: 2620, series: "achieved", value: 2618.7, knee: true, kneeLabel: "knee ≥ 2620" },
      { protocol: "http1", offered: 6000, series: "achieved", value: 6005.3, knee: false, kneeLabel: "knee ≥ 2620" },
      { protocol: "h2c", offered: 500, series: "achieved", value: 500, knee: false, kneeLabel: "knee ≥ 1140" },
      { protocol: "h2c", offered: 1140, series: "achieved", value: 1140, knee: true, kneeLabel: "knee ≥ 1140" },
      { protocol: "h2c", offered: 2620, series: "achieved", value: 2619.3, knee: false, kneeLabel: "knee ≥ 1140" },
      { protocol: "h2c", offered: 6000, series: "achieved", value: 6000.7, knee: false, kneeLabel: "knee ≥ 1140" },
    ]);
    // grpc has no knee: no point is marked.
    expect(curveRows(sweep, "p99Us", "p99").filter((r) => r.protocol === "grpc" && r.knee)).toEqual([]);
    expect(kneeLabel(sweep, "grpc")).toBeNull();
    expect(kneeLabel(withKnees({ h2c: { limitedBy: "server" } }), "h2c")).toBe("knee 1140");
  });

  it("averages repeats at a rate and leaves zeros off a log axis", () => {
    const base = sweep.scenarios.filter((s) => s.protocol === "http1" && s.offeredRps === 500) as CompletedScenario[];
    const first = base[0] as CompletedScenario;
    const run: RunResult = {
      ...sweep,
      scenarios: [
        { ...first, repeat: 1, latencyUs: { ...first.latencyUs, p99: 1000 } },
        { ...first, repeat: 2, latencyUs: { ...first.latencyUs, p99: 3000 } },
        { ...first, step: 1, offeredRps: 1140, latencyUs: { ...first.latencyUs, p99: 0 } },
      ],
    };
    expect(curveRows(run, "p99Us", "p99").map((r) => [r.offered, r.value])).toEqual([[500, 2000], [1140, 0]]);
    expect(curveRows(run, "p99Us", "p99", { positiveOnly: true }).map((r) => [r.offered, r.value])).toEqual([[500, 2000]]);
  });
});

describe("the sentence naming a protocol's knee", () => {
  it("says loudly when the generator, not the protocol, gave out", () => {
    expect(kneeSentence("http1", knee({ kneeRps: 2620, saturationRps: 6000, limitedBy: "generator", why: "p99 42591 µs > SLO 10000 µs" }))).toBe(
      "**http1**: knee at 2620 req/s; past saturation at 6000 req/s (p99 42591 µs > SLO 10000 µs). **Limited by the generator, not by http1**: at 6000 req/s the load generator fell behind its schedule or its CPU was full, so that point and the ones past it describe the load generator, not the protocol — http1's real knee is at least 2620 req/s.",
    );
  });

  it("names the system under test, an unsaturated protocol and the livelock steps", () => {
    expect(kneeSentence("grpc", knee({ kneeRps: 1000, saturationRps: 2000, limitedBy: "server", why: "achieved 1500 of 2000 req/s", livelockSteps: [2000, 4000] }))).toBe(
      "**grpc**: knee at 1000 req/s; past saturation at 2000 req/s (achieved 1500 of 2000 req/s). Limited by the system under test: the generator kept its schedule there. Receive-livelock signature: the server CPU's softirq share rose while delivered throughput fell at 2000, 4000 req/s.",
    );
    expect(kneeSentence("h2c", knee({ kneeRps: 6000 }))).toBe("**h2c**: knee at 6000 req/s, and it met the SLO at every step: its saturation point lies beyond this sweep.");
  });

  it("says a protocol with no knee has an unknown one when the generator failed first", () => {
    expect(kneeSentence("grpc", knee({ saturationRps: 500, limitedBy: "generator", why: "p99 30271 µs > SLO 10000 µs" }))).toContain(
      "no step met the SLO; it failed already at the first step, 500 req/s (p99 30271 µs > SLO 10000 µs). **Limited by the generator, not by grpc**",
    );
  });
});
