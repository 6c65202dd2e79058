import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createOutputParser } from "../../bench/collector/ebpf/bpftrace-output.ts";
import type { KernelTimeEpoch } from "../../bench/collector/ebpf/bpftrace-output.ts";
import { kernelTimeWindow, KernelTimeWindowError } from "../../bench/collector/ebpf/kernel-time-window.ts";

const CAPTURE = readFileSync(new URL("../fixtures/bpftrace/kernel-time-3-marks.jsonl", import.meta.url), "utf8");
const parser = createOutputParser();
const epochs: KernelTimeEpoch[] = CAPTURE.split("\n").flatMap((line) => {
  const got = parser.push(line);
  return got?.kind === "epoch" ? [got.epoch] : [];
});

describe("a window of exact kernel time", () => {
  it("lasts from the start mark to the end mark", () => {
    expect(kernelTimeWindow(epochs, 1, 3).windowNs).toBe(2892455416806 - 2892207482938);
  });

  it("has every CPU's on-CPU time add up to the window, because a mark closes each CPU's running slice", () => {
    const w = kernelTimeWindow(epochs, 0, 3);
    for (const cpu of [0, 1]) {
      expect(w.tasks.filter((t) => t.cpu === cpu).reduce((sum, t) => sum + t.ns, 0)).toBe(w.windowNs);
    }
  });

  it("sums the epochs after the start mark, key by key", () => {
    const w = kernelTimeWindow(epochs, 1, 3);
    expect(w.syscalls.find((r) => r.cpu === 0)).toEqual({ cpu: 0, pid: 11422, ns: 1381881 + 142562, count: 254 + 7, irqNs: 215690 + 1964 });
    expect(w.switches).toEqual({ "0": 186 + 136, "1": 160 + 237 });
    const one = kernelTimeWindow(epochs, 1, 2);
    expect(one.switches).toEqual({ "0": 186, "1": 160 });
  });

  it("refuses a window with a missing epoch or the wrong way round", () => {
    expect(() => kernelTimeWindow(epochs.filter((e) => e.epoch !== 2), 1, 3)).toThrow(/epochs 2–3 are incomplete: 1 of 2/);
    expect(() => kernelTimeWindow(epochs, 3, 1)).toThrow(KernelTimeWindowError);
    expect(() => kernelTimeWindow(epochs, 1, 9)).toThrow(/no mark 9/);
  });
});
