/**
 * The generator's verdict checked against both CPUs (bench/run/cpu-limit.ts), on the figures of two windows of the
 * livelock reference (results/reference/livelock/rps): nginx-http1-close at 18 200 offered, whose sends left on
 * time while the generator's CPU was full and the server's a third idle, and nginx-http1 at 60 000, where both CPUs
 * were full and the server's verdict stands.
 */
import { describe, expect, it } from "vitest";
import type { GeneratorHealth } from "../../bench/load/report.ts";
import { busyPct, withCpuEvidence } from "../../bench/run/cpu-limit.ts";
import type { KernelFigures } from "../../bench/results/kernel-figures.ts";
import { findKnee } from "../../bench/sweep/knee.ts";

const SERVER_LIMITED: GeneratorHealth = {
  cpuPct: 97.2,
  cpuUserUs: 1_900_000,
  cpuSysUs: 1_990_000,
  latenessP99Us: 18_735,
  latenessMaxUs: 21_000,
  inFlightPeak: 10_000,
  maxInFlight: 10_000,
  saturated: false,
  saturationReasons: [],
  saturationKinds: [],
  limitedBy: "server",
  limitReasons: ["achieved 5729.5 req/s is 31.5% of the offered 18200 (< 99%) while the sends left on time: the server did not keep up"],
};

/** Just what busyPct reads: one CPU's eBPF split, or its /proc/stat busy ticks and the window. */
function kernel(perCpu: Record<string, { wall: number; idle: number }> | null, ticksBusyUs: Record<string, number>, windowMs: number): KernelFigures {
  return {
    totals: {
      cpuAttribution: perCpu === null ? null : { method: "ebpf", perCpu, residualPct: 0 },
      cpuUs: { perCpu: Object.fromEntries(Object.entries(ticksBusyUs).map(([cpu, busy]) => [cpu, { busy }])) },
    },
    collector: { windowMs },
  } as unknown as KernelFigures;
}

describe("who limited a run, by both CPUs", () => {
  it("reads each CPU's busy share from eBPF's attribution, else from /proc/stat's ticks over the window", () => {
    const exact = kernel({ "0": { wall: 4_000_000, idle: 0 }, "1": { wall: 4_000_000, idle: 1_328_000 } }, { "0": 1, "1": 1 }, 4000);
    expect([busyPct(exact, 0), busyPct(exact, 1)]).toEqual([100, 66.8]);
    const ticks = kernel(null, { "0": 3_880_000, "1": 2_000_000 }, 4000);
    expect([busyPct(ticks, 0), busyPct(ticks, 1), busyPct(ticks, null), busyPct(undefined, 0)]).toEqual([97, 50, null, null]);
  });

  it("moves the limit to the generator when its CPU was full and the server's had a fifth or more to spare", () => {
    expect(withCpuEvidence(SERVER_LIMITED, 66.8, 100)).toEqual({
      ...SERVER_LIMITED,
      saturated: true,
      saturationReasons: ["the generator's CPU was 100% busy and the server's 67%: the client's own work per request (connections, answers) set the limit, though its sends left on time"],
      saturationKinds: ["generator-cpu"],
      limitedBy: "generator",
      limitReasons: ["the generator's CPU was 100% busy and the server's 67%: the client's own work per request (connections, answers) set the limit, though its sends left on time"],
    });
  });

  it("leaves the verdict alone when the server's CPU was full too, the generator's was not, or a figure is missing", () => {
    expect(withCpuEvidence(SERVER_LIMITED, 99.5, 97)).toBe(SERVER_LIMITED);
    expect(withCpuEvidence(SERVER_LIMITED, 81, 97)).toBe(SERVER_LIMITED);
    expect(withCpuEvidence(SERVER_LIMITED, 50, 94.9)).toBe(SERVER_LIMITED);
    expect(withCpuEvidence(SERVER_LIMITED, null, 100)).toBe(SERVER_LIMITED);
    const carried = { ...SERVER_LIMITED, limitedBy: null, limitReasons: [] };
    expect(withCpuEvidence(carried, 10, 100)).toBe(carried);
  });

  it("makes a sweep say its saturation step was the generator's", () => {
    const moved = withCpuEvidence(SERVER_LIMITED, 66.8, 100);
    const point = (offered: number, achievedRps: number, g: GeneratorHealth) => ({
      offered, offeredRps: offered, measuredPps: null, achievedRps, latencyP99Us: 1000, errors: 0, requests: offered * 4,
      generatorSaturated: g.saturated, generatorReasons: g.saturationReasons, serverSoftirqPct: null, serverUserPct: null, drops: null,
    });
    const carried = { ...SERVER_LIMITED, limitedBy: null, limitReasons: [] };
    expect(findKnee([point(1000, 1000, carried), point(18_200, 5729.5, moved)], 50_000, "rps").limitedBy).toBe("generator");
    expect(findKnee([point(1000, 1000, carried), point(18_200, 5729.5, SERVER_LIMITED)], 50_000, "rps").limitedBy).toBe("server");
  });
});
