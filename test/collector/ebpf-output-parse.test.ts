import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BpftraceOutputError, createOutputParser } from "../../bench/collector/ebpf/bpftrace-output.ts";
import type { BpftraceLine, KernelTimeEpoch } from "../../bench/collector/ebpf/bpftrace-output.ts";

/**
 * Captured on the project machine (kernel 6.18, bpftrace 0.17): kernel-time.bt on CPUs 0 and 1 with the capturing
 * node process (pid 11422) as both harness and server, marked four times around 150 keep-alive HTTP requests.
 */
const CAPTURE = readFileSync(new URL("../fixtures/bpftrace/kernel-time-3-marks.jsonl", import.meta.url), "utf8");

function parseAll(text: string): BpftraceLine[] {
  const parser = createOutputParser();
  return text.split("\n").flatMap((line) => {
    const got = parser.push(line);
    return got === null ? [] : [got];
  });
}

const epochs = (): KernelTimeEpoch[] => parseAll(CAPTURE).flatMap((l) => (l.kind === "epoch" ? [l.epoch] : []));

describe("parsing kernel-time.bt's JSON lines", () => {
  it("reads the probe count, ready, and one epoch per mark", () => {
    const lines = parseAll(CAPTURE);
    expect(lines.slice(0, 2)).toEqual([{ kind: "attached", probes: 24 }, { kind: "ready" }]);
    expect(epochs().map((e) => [e.epoch, e.markNs])).toEqual([
      [0, 2892036597729],
      [1, 2892207482938],
      [2, 2892328641463],
      [3, 2892455416806],
    ]);
  });

  it("reads both buffers' maps into one shape, joining each time map with its count map", () => {
    const e1 = epochs()[1] as KernelTimeEpoch;
    expect(e1.switches).toEqual({ "0": 308, "1": 187 });
    expect(e1.tasks).toHaveLength(37);
    expect(e1.tasks).toContainEqual({ cpu: 1, pid: 38, ns: 4629 });
    expect(e1.softirqs).toHaveLength(42);
    expect(e1.softirqs).toContainEqual({ cpu: 1, vec: 1, pid: 10613, ns: 802, runs: 1 });
    expect(e1.hardirqs).toContainEqual({ cpu: 1, line: -2, pid: 15, ns: 341, count: 1 });
    expect(e1.syscalls).toEqual([
      { cpu: 1, pid: 11422, ns: 790341, count: 63, irqNs: 27161 },
      { cpu: 0, pid: 11422, ns: 4475486, count: 656, irqNs: 702296 },
    ]);
  });

  it("treats a map bpftrace did not print (empty) as no rows", () => {
    const e0 = epochs()[0] as KernelTimeEpoch;
    // Epoch 0 had no interrupt inside a syscall: @sys_irq_ns0 was empty and not printed.
    expect(e0.syscalls).toEqual([
      { cpu: 0, pid: 11422, ns: 18374, count: 2, irqNs: 0 },
      { cpu: 1, pid: 11422, ns: 51077, count: 4, irqNs: 0 },
    ]);
  });

  it("counts lost events and passes other lines through", () => {
    const parser = createOutputParser();
    expect(parser.push('{"type": "lost_events", "data": {"events": 12}}')).toEqual({ kind: "lost", events: 12 });
    expect(parser.push("Attaching 24 probes...")).toEqual({ kind: "other", text: "Attaching 24 probes..." });
    expect(parser.push("   ")).toBeNull();
  });

  it("refuses an end without its mark, a second mark inside an epoch, and a malformed key", () => {
    const p = createOutputParser();
    expect(() => p.push('{"type": "printf", "data": "end 4\\n"}')).toThrow(BpftraceOutputError);
    p.push('{"type": "printf", "data": "mark 4 100\\n"}');
    expect(() => p.push('{"type": "printf", "data": "mark 5 200\\n"}')).toThrow(/mark 5 before the end of epoch 4/);
    const q = createOutputParser();
    q.push('{"type": "printf", "data": "mark 1 100\\n"}');
    q.push('{"type": "map", "data": {"@run_ns1": {"0": 5}}}');
    expect(() => q.push('{"type": "printf", "data": "end 1\\n"}')).toThrow(/@run_ns: key "0" is not 2 integers/);
  });
});
