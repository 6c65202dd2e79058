import { describe, expect, it } from "vitest";
import { attribute, ATTRIBUTION_FIELDS } from "../../bench/collector/ebpf/attribution.ts";
import type { Roles } from "../../bench/collector/ebpf/attribution.ts";
import type { KernelTimeWindow } from "../../bench/collector/ebpf/kernel-time-window.ts";

const SERVER = 100;
const GENERATOR = 200;
const KSOFTIRQD1 = 22;
const KWORKER = 30;
const OTHER = 300;
const roles: Roles = {
  serverPids: new Set([SERVER]),
  generatorPids: new Set([GENERATOR]),
  kernelThreads: new Map([
    [KSOFTIRQD1, "ksoftirqd"],
    [KWORKER, "kernelThread"],
  ]),
};

/** A 1 ms window on CPU 1 (the server's) and CPU 0 (the generator's). */
const window: KernelTimeWindow = {
  fromEpoch: 4,
  toEpoch: 5,
  windowNs: 1_000_000,
  fromMarkNs: 5_000_000,
  toMarkNs: 6_000_000,
  tasks: [
    { cpu: 1, pid: SERVER, ns: 600_000 },
    { cpu: 1, pid: KSOFTIRQD1, ns: 50_000 },
    { cpu: 1, pid: 0, ns: 350_000 },
    { cpu: 0, pid: GENERATOR, ns: 700_000 },
    { cpu: 0, pid: KWORKER, ns: 10_000 },
    { cpu: 0, pid: OTHER, ns: 40_000 },
    { cpu: 0, pid: 0, ns: 250_000 },
  ],
  switches: { "0": 9, "1": 7 },
  softirqs: [
    // NET_RX on the server's back (RPS IPI landed while it ran) and on the idle task, and in ksoftirqd.
    { cpu: 1, vec: 3, pid: SERVER, ns: 80_000, runs: 40 },
    { cpu: 1, vec: 3, pid: 0, ns: 20_000, runs: 10 },
    { cpu: 1, vec: 3, pid: KSOFTIRQD1, ns: 45_000, runs: 5 },
    { cpu: 1, vec: 1, pid: SERVER, ns: 5_000, runs: 2 },
    // NET_TX and NET_RX on the generator's back, inside its sendmsg.
    { cpu: 0, vec: 2, pid: GENERATOR, ns: 3_000, runs: 3 },
    { cpu: 0, vec: 3, pid: GENERATOR, ns: 30_000, runs: 20 },
  ],
  hardirqs: [
    { cpu: 1, line: -2, pid: SERVER, ns: 4_000, count: 4 },
    { cpu: 1, line: -1, pid: 0, ns: 6_000, count: 2 },
    { cpu: 0, line: -1, pid: OTHER, ns: 2_000, count: 1 },
  ],
  syscalls: [
    // 200 µs of on-CPU syscall time, of which 50 µs was NET_RX and an IPI run on its back.
    { cpu: 1, pid: SERVER, ns: 200_000, count: 90, irqNs: 50_000 },
    { cpu: 0, pid: GENERATOR, ns: 300_000, count: 120, irqNs: 33_000 },
  ],
};

describe("attributing every nanosecond of a CPU once", () => {
  const a = attribute(window, roles, [0, 1], 50);

  it("takes the interrupts run on a task's back out of its time, and its syscall time out of its user time", () => {
    const cpu1 = a.perCpu["1"];
    // server: 600 − (80 + 5 + 4) on its back = 511 µs own; sys 200 − 50 = 150; user 511 − 150 = 361.
    expect(cpu1?.serverSys).toBe(150_000);
    expect(cpu1?.serverUser).toBe(361_000);
    // ksoftirqd ran 50 µs, 45 of them NET_RX: 5 µs is the thread's own.
    expect(cpu1?.kernelThreads).toBe(5_000);
    expect(cpu1?.idle).toBe(350_000 - 20_000 - 6_000);
    expect(cpu1?.softirqNetRx).toBe(145_000);
    expect(cpu1?.softirqOther).toBe(5_000);
    expect(cpu1?.hardIrq).toBe(10_000);
    const cpu0 = a.perCpu["0"];
    expect(cpu0?.clientSys).toBe(267_000);
    expect(cpu0?.clientUser).toBe(700_000 - 33_000 - 267_000);
    expect(cpu0?.softirqNetTx).toBe(3_000);
    expect(cpu0?.otherTasks).toBe(38_000);
    expect(cpu0?.kernelThreads).toBe(10_000);
  });

  it("adds up to the window's wall time on every CPU, with no residual when the tasks cover it", () => {
    for (const cpu of ["0", "1"]) {
      const split = a.perCpu[cpu];
      if (split === undefined) throw new Error(`no CPU ${cpu}`);
      expect(ATTRIBUTION_FIELDS.reduce((sum, f) => sum + split[f], 0)).toBe(1_000_000);
      expect(split.wall).toBe(1_000_000);
      expect(split.residual).toBe(0);
    }
    expect(a.residualPct).toBe(0);
  });

  it("says which task each softirq vector ran on", () => {
    expect(a.softirqByContext["1"]?.NET_RX).toEqual({ server: 80_000, idle: 20_000, ksoftirqd: 45_000 });
    expect(a.softirqByContext["0"]?.NET_TX).toEqual({ generator: 3_000 });
  });

  it("gives NET_RX time per received packet", () => {
    expect(a.netRxNsPerPacket).toBe((145_000 + 30_000) / 50);
    expect(attribute(window, roles, [0, 1], 0).netRxNsPerPacket).toBeNull();
  });

  it("reports what the tasks leave of the window as the residual, worst CPU first", () => {
    const short = attribute({ ...window, tasks: window.tasks.filter((t) => !(t.cpu === 0 && t.pid === OTHER)) }, roles, [0, 1]);
    // Without the other task's 40 µs, its interrupt (2 µs) is still counted: 38 µs of CPU 0 are unaccounted.
    expect(short.perCpu["0"]?.residual).toBe(38_000);
    expect(short.perCpu["1"]?.residual).toBe(0);
    expect(short.residualPct).toBe(3.8);
  });
});
