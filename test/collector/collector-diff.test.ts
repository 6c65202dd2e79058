import { describe, expect, it } from "vitest";
import { delta32 } from "../../bench/collector/counter-math.ts";
import { diffSnapshots } from "../../bench/collector/diff-snapshots.ts";
import type { SoftnetRow } from "../../bench/collector/parse-softnet-stat.ts";
import type { ProcessSnapshot } from "../../bench/collector/snapshot-types.ts";
import { cpuTimes, makeSnapshot, missing, netDev, netns, ok } from "./make-data.ts";

function softnetRow(cpu: number, processed: number, dropped = 0): SoftnetRow {
  return {
    cpu,
    cpuSource: "column",
    columns: 15,
    processed,
    dropped,
    timeSqueeze: 0,
    cpuCollision: 0,
    receivedRps: 0,
    flowLimitCount: 0,
    backlogLen: 0,
    inputQueueLen: 0,
    processQueueLen: 0,
  };
}

describe("diffSnapshots", () => {
  it("takes a 32-bit delta modulo 2^32: 0xFFFFFFF0 → 0x10 is +32", () => {
    expect(delta32(0xfffffff0, 0x10)).toBe(32);
    expect(delta32(5, 5)).toBe(0);
    expect(delta32(0, 0xffffffff)).toBe(0xffffffff);
  });

  it("wraps softnet counters per CPU and per field before anything is summed", () => {
    const a = makeSnapshot({ tMs: 0, softnet: ok([softnetRow(0, 0xfffffff0, 0xffffffff), softnetRow(1, 0x10)]) });
    const b = makeSnapshot({ tMs: 1000, softnet: ok([softnetRow(0, 0x10, 1), softnetRow(1, 0x20)]) });
    const delta = diffSnapshots(a, b);
    expect(delta.softnet.ok && delta.softnet.value["0"]).toMatchObject({ processed: 32, dropped: 2 });
    expect(delta.softnet.ok && delta.softnet.value["1"]).toMatchObject({ processed: 16 });
    // A plain difference of the sums would be 0x30 - 0x100000000: negative.
    expect(delta.windowMs).toBe(1000);
  });

  it("wraps per-CPU softirq and interrupt counts, and single-count lines, modulo 2^32", () => {
    const line = (perCpu: Record<string, number> | null, count: number | null, id = "CAL") => ({
      id,
      irq: null,
      perCpu,
      count,
      description: "",
      devices: [],
    });
    const a = makeSnapshot({
      tMs: 0,
      softirqs: ok({ NET_RX: { "0": 4294967290, "1": 100 } }),
      interrupts: ok([line({ "0": 4294967295, "1": 7 }, null), line(null, 4294967295, "ERR")]),
    });
    const b = makeSnapshot({
      tMs: 500,
      softirqs: ok({ NET_RX: { "0": 4, "1": 150 } }),
      interrupts: ok([
        line({ "0": 5, "1": 9 }, null),
        line(null, 1, "ERR"),
        { id: "50", irq: 50, perCpu: { "0": 3, "1": 4 }, count: null, description: "x  eth0", devices: ["eth0"] },
      ]),
    });
    const delta = diffSnapshots(a, b);
    expect(delta.softirqs).toEqual(ok({ NET_RX: { "0": 10, "1": 50 } }));
    expect(delta.interrupts.ok && delta.interrupts.value).toEqual([
      { id: "CAL", irq: null, devices: [], description: "", perCpu: { "0": 6, "1": 2 }, total: 8 },
      { id: "ERR", irq: null, devices: [], description: "", perCpu: null, total: 2 },
      // A line that appeared in the window (irq allocated) counts from 0.
      { id: "50", irq: 50, devices: ["eth0"], description: "x  eth0", perCpu: { "0": 3, "1": 4 }, total: 7 },
    ]);
  });

  it("takes 64-bit counters plainly: net/dev, snmp and /proc/stat", () => {
    const a = makeSnapshot({
      tMs: 0,
      server: netns({
        interfaces: { eth0: ok(netDev({ rxPackets: 2 ** 40, txBytes: 10 })) },
        snmp: ok({ Tcp: { InSegs: 100, MaxConn: -1, CurrEstab: 5 } }),
      }),
      stat: ok({
        total: cpuTimes({ userTicks: 10 }),
        cpus: { "0": cpuTimes({ userTicks: 10, guestNiceTicks: null }) },
        ctxt: 1000,
        intrTotal: 50,
        softirqTotal: null,
        processes: 7,
        procsRunning: 1,
        procsBlocked: 0,
        bootTimeEpochS: 1,
      }),
    });
    const b = makeSnapshot({
      tMs: 10,
      server: netns({
        interfaces: { eth0: ok(netDev({ rxPackets: 2 ** 40 + 2 ** 33, txBytes: 30 })) },
        snmp: ok({ Tcp: { InSegs: 2 ** 33, MaxConn: -1, CurrEstab: 3 } }),
      }),
      stat: ok({
        total: cpuTimes({ userTicks: 25 }),
        cpus: { "0": cpuTimes({ userTicks: 25, guestNiceTicks: null }) },
        ctxt: 1600,
        intrTotal: 90,
        softirqTotal: null,
        processes: 9,
        procsRunning: 3,
        procsBlocked: 0,
        bootTimeEpochS: 1,
      }),
    });
    const delta = diffSnapshots(a, b);
    expect(delta.server.interfaces.eth0).toEqual(ok(netDev({ rxPackets: 2 ** 33, txBytes: 20 })));
    expect(delta.server.snmp).toEqual(ok({ Tcp: { InSegs: 2 ** 33 - 100, MaxConn: 0, CurrEstab: -2 } }));
    expect(delta.stat.ok && delta.stat.value).toMatchObject({
      ctxt: 600,
      intrTotal: 40,
      softirqTotal: null,
      processes: 2,
      cpus: { "0": { userTicks: 15, guestNiceTicks: null } },
    });
  });

  it("keeps a counter missing at either end missing, with its reason", () => {
    const a = makeSnapshot({ tMs: 0, stat: missing("/proc/stat: EACCES: permission denied") });
    const b = makeSnapshot({ tMs: 1, softirqs: ok({}), stat: ok({} as never) });
    const delta = diffSnapshots(a, b);
    expect(delta.stat).toEqual(missing("at window start: /proc/stat: EACCES: permission denied"));
    expect(delta.softirqs).toEqual(missing("at window start: not set in this test"));
    const reversed = diffSnapshots(makeSnapshot({ tMs: 0, softirqs: ok({}) }), makeSnapshot({ tMs: 1 }));
    expect(reversed.softirqs).toEqual(missing("at window end: not set in this test"));
  });

  it("makes a section missing when the CPU set changed in the window", () => {
    const a = makeSnapshot({ tMs: 0, softnet: ok([softnetRow(0, 1), softnetRow(1, 1)]) });
    const b = makeSnapshot({ tMs: 1, softnet: ok([softnetRow(0, 2)]) });
    const delta = diffSnapshots(a, b);
    expect(delta.softnet.ok).toBe(false);
    expect(delta.softnet.ok ? "" : delta.softnet.reason).toMatch(/CPU set changed/);
  });

  it("sums context switches and schedstat over threads, counting new threads from zero", () => {
    const task = (vol: number, nonvol: number, runNs: number) => ({
      status: ok({
        name: "node",
        threads: null,
        voluntaryCtxtSwitches: vol,
        nonvoluntaryCtxtSwitches: nonvol,
        cpusAllowedList: null,
        vmRssKiB: null,
        vmHwmKiB: null,
      }),
      schedstat: ok({ runNs, waitNs: runNs / 10, timeslices: vol + nonvol }),
    });
    const proc = (utime: number, start: number, tasks: ProcessSnapshot["tasks"]): ProcessSnapshot => ({
      pid: 77,
      pids: [77],
      stat: ok({
        pid: 77,
        comm: "node",
        state: "S",
        ppid: 1,
        utimeTicks: utime,
        stimeTicks: 2,
        cutimeTicks: 0,
        cstimeTicks: 0,
        numThreads: 2,
        startTimeTicks: start,
        vsizeBytes: 0,
        rssPages: 0,
        processor: 0,
        delayacctBlkioTicks: 0,
      }),
      status: missing(NOT_USED),
      tasks,
    });
    const NOT_USED = "unused";
    const a = makeSnapshot({
      tMs: 0,
      processes: {
        server: ok(proc(10, 500, ok({ "77": task(10, 1, 1000), "78": task(5, 0, 500), "79": task(3, 3, 300) }))),
        generator: missing("no generator pid given"),
      },
    });
    const b = makeSnapshot({
      tMs: 1,
      processes: {
        server: ok(proc(14, 500, ok({ "77": task(30, 2, 5000), "78": task(6, 0, 700), "80": task(2, 1, 100) }))),
        generator: missing("no generator pid given"),
      },
    });
    const delta = diffSnapshots(a, b);
    expect(delta.processes.server).toEqual(
      ok({
        pid: 77,
        cpu: ok({ utimeTicks: 4, stimeTicks: 0 }),
        contextSwitches: ok({ voluntary: 20 + 1 + 2, nonvoluntary: 1 + 0 + 1 }),
        schedstat: ok({ runNs: 4000 + 200 + 100, waitNs: 400 + 20 + 10, timeslices: 21 + 1 + 3 }),
        threadsAtEnd: 3,
        threadsStarted: 1,
        threadsExited: 1,
      }),
    );
    expect(delta.processes.generator).toEqual(missing("at window start: no generator pid given"));
    const restarted = makeSnapshot({ tMs: 2, processes: { server: ok(proc(1, 900, ok({}))), generator: missing("x") } });
    const again = diffSnapshots(b, restarted).processes.server;
    expect(again.ok && again.value.cpu).toEqual(missing("process 77 restarted in the window"));
  });
});
