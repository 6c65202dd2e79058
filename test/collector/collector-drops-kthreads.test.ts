import { describe, expect, it } from "vitest";
import { diffSnapshots } from "../../bench/collector/diff-snapshots.ts";
import {
  diffKernelThreads,
  type KernelThreadRef,
  readKernelThreads,
  selectKernelThreads,
} from "../../bench/collector/kernel-threads.ts";
import { parseNetSnmp } from "../../bench/collector/parse-net-snmp.ts";
import { perRequest, windowTotals } from "../../bench/collector/per-request.ts";
import { ok } from "../../bench/collector/reading.ts";
import { fixture } from "./fixture.ts";
import { makeSnapshot, netns } from "./make-data.ts";

const THREADS: KernelThreadRef[] = [
  { pid: 14, name: "ksoftirqd/0", kind: "ksoftirqd", cpu: 0 },
  { pid: 22, name: "ksoftirqd/1", kind: "ksoftirqd", cpu: 1 },
  { pid: 28320, name: "napi/eth0-262", kind: "napi", cpu: null },
];

function tasksOf(text: string): { pid: number; ppid: number; comm: string }[] {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => {
      const [pid, ppid, comm] = line.split("\t");
      return { pid: Number(pid), ppid: Number(ppid), comm: comm as string };
    });
}

/** A read function over the captured kthreads-<tag>/ folder, keyed by /proc path. */
function readerOf(tag: "before" | "after"): (path: string) => string {
  return (path) => {
    const m = /^\/proc\/(\d+)\/(stat|schedstat)$/.exec(path);
    if (m === null) throw new Error(`unexpected path ${path}`);
    return fixture(`6.18/kthreads-${tag}/${m[1]}-${m[2]}`);
  };
}

function snapshotAt(tag: "before" | "after", tMs: number) {
  return makeSnapshot({
    tMs,
    server: netns({
      source: "/proc/4242/net",
      snmp: ok(parseNetSnmp(fixture(`6.18/netns-drops-${tag}-net-snmp`))),
      netstat: ok(parseNetSnmp(fixture(`6.18/netns-drops-${tag}-net-netstat`))),
    }),
    kernelThreads: ok(readKernelThreads(THREADS, readerOf(tag))),
  });
}

describe("kernel threads that do receive work", () => {
  it("are picked out of the task list by comm, children of kthreadd only", () => {
    const tasks = tasksOf(fixture("6.18/kthreads-list"));
    expect(selectKernelThreads(tasks)).toEqual(THREADS);
    // A process may name itself like one; it is not kthreadd's child.
    expect(selectKernelThreads([...tasks, { pid: 99999, ppid: 1, comm: "napi/fake-1" }])).toEqual(THREADS);
    expect(selectKernelThreads([{ pid: 5, ppid: 2, comm: "napi/eth0" }, { pid: 6, ppid: 2, comm: "ksoftirqd/x" }])).toEqual([]);
  });

  it("are read and diffed from stat and schedstat, in exact nanoseconds", () => {
    const deltas = diffKernelThreads(readKernelThreads(THREADS, readerOf("before")), readKernelThreads(THREADS, readerOf("after")));
    expect(deltas).toEqual([
      { ...THREADS[0], runNs: 288_286, timeslices: 8, lastCpu: 0, reason: null },
      { ...THREADS[1], runNs: 72_309, timeslices: 10, lastCpu: 1, reason: null },
      { ...THREADS[2], runNs: 534_903, timeslices: 72, lastCpu: 1, reason: null },
    ]);
  });

  it("notice a pid that now belongs to another task, and a thread replaced within the window", () => {
    const renamed = readKernelThreads([{ pid: 14, name: "ksoftirqd/3", kind: "ksoftirqd", cpu: 3 }], readerOf("after"));
    expect(renamed[0]?.counters).toEqual({ ok: false, value: null, reason: 'pid 14 is now "ksoftirqd/0", not ksoftirqd/3' });
    const [start] = readKernelThreads([THREADS[0] as KernelThreadRef], readerOf("before"));
    const [end] = readKernelThreads([THREADS[0] as KernelThreadRef], readerOf("after"));
    if (start === undefined || end === undefined || !end.counters.ok) throw new Error("fixture not read");
    const restarted = { ...end, counters: ok({ ...end.counters.value, stat: { ...end.counters.value.stat, startTimeTicks: 999 } }) };
    expect(diffKernelThreads([start], [restarted])).toEqual([
      { ...THREADS[0], runNs: null, timeslices: null, lastCpu: null, reason: "ksoftirqd/0 (pid 14) was replaced in the window" },
    ]);
  });
});

describe("drops and kernel-thread CPU in the cost figures", () => {
  const delta = diffSnapshots(snapshotAt("before", 0), snapshotAt("after", 2500));

  it("count listen-queue and receive-buffer drops of the server namespace exactly", () => {
    const totals = windowTotals(delta);
    expect(totals.drops).toEqual({
      server: {
        listenOverflows: 21,
        listenDrops: 21,
        tcpReqQFullDrop: 0,
        tcpBacklogDrop: 0,
        tcpRcvQDrop: 0,
        tcpOfoDrop: 0,
        tcpZeroWindowDrop: 0,
        udpRcvbufErrors: 199,
        udpInErrors: 199,
      },
      client: null,
    });
    expect(totals.missing["drops.client"]).toBe("no client namespace was read");
  });

  it("give ksoftirqd CPU by CPU and napi CPU by thread name, µs", () => {
    const totals = windowTotals(delta);
    expect(totals.kernelThreads).toEqual({ ksoftirqdUs: { "0": 288.286, "1": 72.309 }, napiUs: { "napi/eth0-262": 534.903 } });
    expect(Object.keys(totals.missing).filter((k) => k.startsWith("kernelThreads"))).toEqual([]);
  });

  it("divide both by the requests", () => {
    const figures = perRequest(delta, 1000);
    expect(figures.drops?.server).toMatchObject({ listenOverflows: 0.021, listenDrops: 0.021, udpRcvbufErrors: 0.199, tcpBacklogDrop: 0 });
    expect(figures.kernelThreads?.ksoftirqdUs["0"]).toBeCloseTo(0.288286, 12);
    expect(figures.kernelThreads?.ksoftirqdUs["1"]).toBeCloseTo(0.072309, 12);
    expect(figures.kernelThreads?.napiUs["napi/eth0-262"]).toBeCloseTo(0.534903, 12);
    const none = perRequest(delta, 0);
    expect(none.drops?.server?.listenOverflows).toBeNull();
    expect(none.missing["drops.server.listenOverflows"]).toBe("no completed requests (0)");
    expect(none.kernelThreads).toEqual({ ksoftirqdUs: {}, napiUs: {} });
  });

  it("are null with the reason where an older kernel does not print a counter, or nothing was measured", () => {
    const old = makeSnapshot({
      tMs: 0,
      server: netns({ snmp: ok(parseNetSnmp(fixture("4.4/net-snmp"))), netstat: ok(parseNetSnmp(fixture("4.4/net-netstat"))) }),
    });
    const totals = windowTotals(diffSnapshots(old, { ...old, tMs: 1000 }));
    expect(totals.drops?.server).toEqual({
      listenOverflows: 0,
      listenDrops: 0,
      tcpReqQFullDrop: 0,
      tcpBacklogDrop: 0,
      tcpRcvQDrop: null,
      tcpOfoDrop: 0,
      tcpZeroWindowDrop: null,
      udpRcvbufErrors: 0,
      udpInErrors: 0,
    });
    expect(totals.missing["drops.server.tcpRcvQDrop"]).toBe("/proc/42/net/netstat has no TcpExt: TCPRcvQDrop (not printed by this kernel)");
    expect(totals.kernelThreads).toBeNull();
    expect(totals.missing["kernelThreads"]).toBe("at window start: not in this snapshot");
  });
});
