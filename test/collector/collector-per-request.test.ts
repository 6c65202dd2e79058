import { describe, expect, it } from "vitest";
import type { InterruptDelta, ProcessDelta, SnapshotDelta } from "../../bench/collector/delta-types.ts";
import { perRequest, windowTotals } from "../../bench/collector/per-request.ts";
import { cpuTimes, makeDelta, missing, netDev, ok } from "./make-data.ts";

const line = (id: string, perCpu: Record<string, number> | null, total: number, devices: string[] = []) =>
  ({ id, irq: /^\d+$/.test(id) ? Number(id) : null, devices, description: "", perCpu, total }) as InterruptDelta;

const process = (utimeTicks: number, stimeTicks: number, runNs: number, voluntary: number): ProcessDelta => ({
  pid: 1,
  cpu: ok({ utimeTicks, stimeTicks }),
  contextSwitches: ok({ voluntary, nonvoluntary: 100 }),
  schedstat: ok({ runNs, waitNs: 0, timeslices: 0 }),
  threadsAtEnd: 7,
  threadsStarted: 0,
  threadsExited: 0,
});

const SOFTNET_ZERO = {
  processed: 0,
  dropped: 0,
  timeSqueeze: 0,
  cpuCollision: 0,
  receivedRps: 0,
  flowLimitCount: 0,
  backlogLenAtEnd: 0,
  inputQueueLenAtEnd: 0,
  processQueueLenAtEnd: 0,
};

/** 1000 keep-alive requests over a veth pair, USER_HZ 100, two CPUs. */
const delta: SnapshotDelta = makeDelta({
  server: {
    source: "/proc/42/net",
    interfaces: { eth0: ok(netDev({ rxPackets: 1000, txPackets: 1000, rxBytes: 170_000, txBytes: 179_000 })) },
    snmp: ok({ Tcp: { InSegs: 1000, OutSegs: 1000, RetransSegs: 3, PassiveOpens: 0 } }),
    netstat: ok({ TcpExt: { ListenDrops: 0 } }),
  },
  client: {
    source: "/proc/43/net",
    interfaces: { eth0: ok(netDev({ rxPackets: 1000, txPackets: 1000 })) },
    snmp: ok({ Tcp: { ActiveOpens: 10 } }),
    netstat: missing("lean"),
  },
  softirqs: ok({ NET_RX: { "0": 1200, "1": 800 }, NET_TX: { "0": 3, "1": 1 }, TIMER: { "0": 9, "1": 9 } }),
  interrupts: ok([
    line("CAL", { "0": 1500, "1": 500 }, 2000),
    line("LOC", { "0": 250, "1": 250 }, 500),
    line("ERR", null, 0),
    line("38", { "0": 0, "1": 0 }, 0, ["virtio2-input.0"]),
    line("120", { "0": 7, "1": 0 }, 7, ["eth0-TxRx-0"]),
  ]),
  softnet: ok({
    "0": { ...SOFTNET_ZERO, processed: 1300, timeSqueeze: 1 },
    "1": { ...SOFTNET_ZERO, processed: 700, dropped: 2, receivedRps: 4 },
  }),
  stat: ok({
    total: cpuTimes({}),
    cpus: {
      "0": cpuTimes({ userTicks: 3, niceTicks: 1, systemTicks: 2, idleTicks: 90, softirqTicks: 4, stealTicks: 1 }),
      "1": cpuTimes({ userTicks: 5, systemTicks: 3, idleTicks: 92, irqTicks: 1, softirqTicks: 2 }),
    },
    ctxt: 5000,
    intrTotal: 3000,
    softirqTotal: 2022,
    processes: 0,
  }),
  processes: {
    server: ok(process(4, 2, 45_000_000, 1900)),
    generator: ok(process(7, 3, 93_000_000, 2000)),
  },
});

/**
 * `missing` without the drops, kernel-thread and kernel-time entries, which this synthetic delta leaves unset on
 * purpose (they have tests of their own below and in collector-drops-kthreads.test.ts).
 */
function onlyOldFigures(missing: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(missing).filter(
      ([key]) => !key.startsWith("drops.") && !key.startsWith("kernelThreads") && !key.startsWith("cpuAttribution") && key !== "netRxNsPerPacket",
    ),
  );
}

describe("perRequest", () => {
  it("divides the window's counters by the requests, in the units its field names say", () => {
    const { drops, kernelThreads, cpuAttribution: _attribution, netRxNsPerPacket: _netRx, ...figures } = perRequest(delta, 1000);
    // Drops and kernel threads have exact-value tests of their own (collector-drops-kthreads.test.ts).
    expect(drops?.server?.listenDrops).toBe(0);
    expect(kernelThreads).toBeNull();
    expect({ ...figures, missing: onlyOldFigures(figures.missing) }).toEqual({
      packets: 2,
      bytes: 349,
      direction: { packetsRx: 1, packetsTx: 1, bytesRx: 170, bytesTx: 179, tcpInSegs: 1, tcpOutSegs: 1 },
      tcpSegments: 2,
      retransSegments: 0.003,
      connectionOpens: 0,
      netRxSoftirqs: 2,
      netTxSoftirqs: 0.004,
      hardIrqs: {
        total: 2.507,
        byLine: { CAL: 2, LOC: 0.5, "120 eth0-TxRx-0": 0.007 },
        nic: null,
      },
      contextSwitches: { server: 2, generator: 2.1, system: 5 },
      cpuUs: {
        serverUser: 40,
        serverSys: 20,
        serverRun: 45,
        clientUser: 70,
        clientSys: 30,
        clientRun: 93,
        softirq: 60,
        irq: 10,
        total: 210,
        steal: 10,
        cpus: [0, 1],
        perCpu: {
          "0": { user: 40, system: 20, softirq: 40, irq: 0, busy: 100 },
          "1": { user: 50, system: 30, softirq: 20, irq: 10, busy: 110 },
        },
      },
      softnet: { processed: 2, dropped: 0.002, timeSqueezed: 0.001, receivedRps: 0.004, flowLimitCount: 0 },
      missing: { "hardIrqs.nic": "no NIC named (veth raises no hard IRQs)" },
    });
  });

  it("splits each CPU by the tick method without eBPF: the processes' ticks on their CPUs, /proc/stat's irq and idle", () => {
    const figures = perRequest(delta, 1000, { serverCpu: 1, clientCpu: 0 });
    const softirqUnknown = { softirqNetRx: null, softirqNetTx: null, softirqOther: null, kernelThreads: null, otherTasks: null, residual: null };
    expect(figures.cpuAttribution).toEqual({
      method: "tick",
      perCpu: {
        // CPU 0: 101 ticks of 10 ms in the window, 90 of them idle.
        "0": { serverUser: 0, serverSys: 0, clientUser: 70, clientSys: 30, hardIrq: 0, idle: 900, wall: 1010, ...softirqUnknown },
        // CPU 1: 103 ticks, one in a hard interrupt, 92 idle.
        "1": { serverUser: 40, serverSys: 20, clientUser: 0, clientSys: 0, hardIrq: 10, idle: 920, wall: 1030, ...softirqUnknown },
      },
      residualPct: null,
    });
    expect(figures.missing["cpuAttribution.perCpu.0.softirqNetRx"]).toBe("the tick method cannot tell softirqNetRx");
    expect(figures.netRxNsPerPacket).toBeNull();
    expect(figures.missing.netRxNsPerPacket).toBe("exact NET_RX time needs eBPF (the tick method has none)");
  });

  it("leaves a process's tick fields null when it is not pinned to a CPU", () => {
    const figures = perRequest(delta, 1000);
    expect(figures.cpuAttribution?.perCpu["1"]?.serverUser).toBeNull();
    expect(figures.cpuAttribution?.perCpu["1"]?.idle).toBe(920);
  });

  it("keeps the window's raw sums as totals", () => {
    const totals = windowTotals(delta);
    expect(totals).toMatchObject({ packets: 2000, bytes: 349_000, tcpSegments: 2000, netRxSoftirqs: 2000 });
    expect(totals.cpuUs).toMatchObject({ serverUser: 40_000, serverRun: 45_000, total: 210_000 });
  });

  it("restricts softirq, irq and total CPU to the CPUs asked for; process CPU stays per process", () => {
    const figures = perRequest(delta, 1000, { cpus: [1] });
    expect(figures.cpuUs).toMatchObject({ softirq: 20, irq: 10, total: 110, steal: 0, cpus: [1], serverUser: 40 });
  });

  it("counts client-side ActiveOpens when asked, and a real NIC's lines by name", () => {
    const figures = perRequest(delta, 1000, { connectionOpensFrom: "client-active", nic: { device: "eth0" } });
    expect(figures.connectionOpens).toBe(0.01);
    expect(figures.hardIrqs.nic).toBe(0.007);
    expect(onlyOldFigures(figures.missing)).toEqual({});
  });

  it("counts only rx on lo, where every packet is both sent and received", () => {
    const loopback = makeDelta({
      server: {
        source: "/proc/self/net",
        interfaces: { lo: ok(netDev({ rxPackets: 2000, txPackets: 2000, rxBytes: 300_000, txBytes: 300_000 })) },
        snmp: missing("x"),
        netstat: missing("x"),
      },
    });
    expect(perRequest(loopback, 1000)).toMatchObject({ packets: 2, bytes: 300 });
  });

  it("reports a figure it cannot compute as null with the reason, never 0", () => {
    const broken = makeDelta({
      ...delta,
      processes: { server: delta.processes.server, generator: missing("at window end: /proc/99/stat: ESRCH") },
      softirqs: missing("at window start: /proc/softirqs: EACCES"),
    });
    const figures = perRequest(broken, 1000);
    expect(figures.cpuUs.clientUser).toBeNull();
    expect(figures.cpuUs.clientRun).toBeNull();
    expect(figures.contextSwitches.generator).toBeNull();
    expect(figures.netRxSoftirqs).toBeNull();
    expect(figures.cpuUs.serverUser).toBe(40);
    expect(figures.missing).toMatchObject({
      "cpuUs.clientUser": "generator process: at window end: /proc/99/stat: ESRCH",
      "contextSwitches.generator": "generator process: at window end: /proc/99/stat: ESRCH",
      netRxSoftirqs: "/proc/softirqs: at window start: /proc/softirqs: EACCES",
    });
  });

  it("makes every figure null with a reason when no request completed", () => {
    const figures = perRequest(delta, 0);
    expect(figures.packets).toBeNull();
    expect(figures.cpuUs.total).toBeNull();
    expect(figures.missing.packets).toBe("no completed requests (0)");
  });
});
