/**
 * The eBPF window must be the generator's window: its edge marks are made within a millisecond or two of the edges,
 * but a bpftrace starved of CPU once printed so late that a mark waited 2.8 s, and a shorter window's time was then
 * divided by the whole window's requests. Beyond MAX_EBPF_EDGE_SKEW_MS the scenario falls back to the tick method,
 * saying why. The frozen http1 scenario's snapshots, with an eBPF window laid over them.
 */
import { describe, expect, it } from "vitest";
import type { KernelTimeEpoch } from "../../bench/collector/ebpf/bpftrace-output.ts";
import { kernelTimeWindow } from "../../bench/collector/ebpf/kernel-time-window.ts";
import { kernelFigures, MAX_EBPF_EDGE_SKEW_MS } from "../../bench/run/measure.ts";
import type { KernelFigureInputs } from "../../bench/run/measure.ts";
import { frozenInputs } from "./frozen-inputs.ts";

const { inputs } = frozenInputs("http1");

const epoch = (n: number, markNs: number, spanNs: number): KernelTimeEpoch => ({
  epoch: n,
  markNs,
  // Every CPU idle for the whole epoch: the window's identity holds exactly.
  tasks: inputs.cpus.map((cpu) => ({ cpu, pid: 0, ns: spanNs })),
  switches: {},
  softirqs: [],
  hardirqs: [],
  syscalls: [],
});

/** An eBPF window whose start and end marks are `startMs` and `endMs` away from the generator's edges. */
function withEbpfWindow(startMs: number, endMs: number): KernelFigureInputs {
  const measure = inputs.phaseEpochMs.measure ?? 0;
  const drain = inputs.phaseEpochMs.drain ?? 0;
  const fromNs = 5e12;
  const toNs = fromNs + (drain + endMs - (measure + startMs)) * 1e6;
  return {
    ...inputs,
    kernelTime: {
      window: kernelTimeWindow([epoch(7, fromNs, 0), epoch(8, toNs, toNs - fromNs)], 7, 8),
      monotonicToEpochMs: measure + startMs - fromNs / 1e6,
      serverPids: [111],
      generatorPids: [222],
      kernelThreads: [],
      tracer: { probes: 25, lostEvents: 0, marks: 2 },
      timeSeries: { points: [], recorded: 0, stride: 1 },
    },
  };
}

describe("the eBPF window's edges against the generator's", () => {
  it("keeps eBPF figures whose edges are within 20 ms, and records the skew", () => {
    expect(MAX_EBPF_EDGE_SKEW_MS).toBe(20);
    const k = kernelFigures(withEbpfWindow(1.5, -2)).kernelTime;
    expect(k?.method).toBe("ebpf");
    expect(k?.method === "ebpf" ? k.windowSkewMs : null).toEqual({ start: 1.5, end: -2 });
  });

  it("falls back to the tick method, saying why, when an edge is further off", () => {
    const figures = kernelFigures(withEbpfWindow(2818, 1));
    expect(figures.kernelTime).toEqual({
      method: "tick",
      reason: "the eBPF window's edges were 2818 and 1 ms from the generator's (more than 20 ms): its figures are not this window's",
      fix: "rerun the scenario; an edge mark is made as the generator reports its window's edge",
    });
    expect(figures.perRequest.cpuAttribution?.method).toBe("tick");
    expect(kernelFigures(withEbpfWindow(0, -20.001)).kernelTime?.method).toBe("tick");
  });
});
