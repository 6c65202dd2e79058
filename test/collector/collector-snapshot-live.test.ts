import { afterAll, describe, expect, it } from "vitest";
import { diffSnapshots } from "../../bench/collector/diff-snapshots.ts";
import { perRequest } from "../../bench/collector/per-request.ts";
import { createProcReader } from "../../bench/collector/proc-reader.ts";
import { createSampler } from "../../bench/collector/sampler.ts";
import type { TimeSeriesPoint } from "../../bench/collector/time-series.ts";
import type { SnapshotSpec } from "../../bench/collector/snapshot-types.ts";
import { readSnapshot } from "../../bench/collector/snapshot.ts";

const isLinux = process.platform === "linux";

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

/** Spins until this process has used `ms` of CPU (not wall time: the machine may be shared and loaded). */
function burnCpu(ms: number): void {
  const start = process.cpuUsage();
  let x = 0;
  for (;;) {
    for (let i = 0; i < 10_000; i++) x += Math.sqrt(x + i);
    const used = process.cpuUsage(start);
    if (used.user + used.system >= ms * 1000) return;
  }
}

describe.skipIf(!isLinux)("readSnapshot on this process (Linux /proc)", () => {
  const reader = createProcReader();
  afterAll(() => reader.close());
  const spec: SnapshotSpec = {
    kind: "full",
    serverPid: process.pid,
    generatorPid: process.pid,
    serverNetns: { pid: null, interfaces: ["lo"] },
  };

  it("reads every source, and counters only grow between two snapshots", () => {
    const a = readSnapshot(spec, reader);
    burnCpu(60); // schedstat must then show at least half of it on our threads
    const b = readSnapshot(spec, reader);
    for (const s of [a, b]) {
      for (const reading of [s.softirqs, s.interrupts, s.softnet, s.stat, s.server.snmp, s.server.netstat]) {
        expect(reading, reading.ok ? "" : reading.reason).toMatchObject({ ok: true });
      }
      expect(s.server.interfaces.lo?.ok).toBe(true);
      expect(s.processes.server.ok && s.processes.server.value.stat.ok).toBe(true);
      expect(s.processes.server.ok && s.processes.server.value.tasks.ok).toBe(true);
      expect(s.userHz).toBeGreaterThan(0);
    }
    expect(b.tMs).toBeGreaterThan(a.tMs);

    const delta = diffSnapshots(a, b);
    const proc = delta.processes.server;
    expect(proc.ok).toBe(true);
    if (!proc.ok) return;
    expect(proc.value.schedstat.ok && proc.value.schedstat.value.runNs).toBeGreaterThanOrEqual(30e6);
    expect(proc.value.cpu.ok && proc.value.cpu.value.utimeTicks + proc.value.cpu.value.stimeTicks).toBeGreaterThanOrEqual(0);
    expect(proc.value.contextSwitches.ok).toBe(true);
    expect(delta.stat.ok && delta.stat.value.ctxt).toBeGreaterThan(0);
    for (const cpuTimes of delta.stat.ok ? Object.values(delta.stat.value.cpus) : []) {
      expect(cpuTimes.userTicks).toBeGreaterThanOrEqual(0);
      expect(cpuTimes.idleTicks).toBeGreaterThanOrEqual(0);
    }
    for (const counts of delta.softirqs.ok ? Object.values(delta.softirqs.value) : []) {
      for (const n of Object.values(counts)) expect(n).toBeLessThan(1e6); // no spurious wrap
    }
    for (const fields of delta.server.snmp.ok ? Object.values(delta.server.snmp.value) : []) {
      for (const [field, n] of Object.entries(fields)) {
        if (field !== "CurrEstab") expect(n, field).toBeGreaterThanOrEqual(0);
      }
    }
    const figures = perRequest(delta, 1);
    expect(figures.cpuUs.serverRun).toBeGreaterThanOrEqual(30_000);
    expect(figures.cpuUs.total).not.toBeNull();
    // No client namespace and no kernel threads in this spec; every drop counter of this namespace is read; on lo
    // every packet is both rx and tx, so there is no direction to split.
    // Without eBPF the CPU attribution is the tick method's, which cannot split a CPU's time by task and vector.
    const [tick, rest] = partition(Object.entries(figures.missing), ([path]) => path.startsWith("cpuAttribution.") || path === "netRxNsPerPacket");
    expect(rest.map(([path]) => path)).toEqual(["direction.packetsTx", "direction.bytesTx", "hardIrqs.nic", "drops.client", "kernelThreads"]);
    for (const [path, reason] of tick) expect(reason, path).toMatch(/tick method/);
    expect(tick.map(([path]) => path)).toContain("cpuAttribution.perCpu.0.softirqNetRx");
    expect(Object.values(figures.drops?.server ?? {}).every((n) => typeof n === "number")).toBe(true);
  });

  it("keeps fds open between snapshots and reads the task directory of every thread", () => {
    readSnapshot(spec, reader);
    const opens = reader.opens;
    readSnapshot(spec, reader);
    // Only a thread born in between would open its two files.
    expect(reader.opens - opens).toBeLessThanOrEqual(2);
    expect(reader.openFiles).toBeGreaterThan(10);
  });

  it("reports an unreadable process as missing with a reason, never as zero", () => {
    const gone = readSnapshot({ ...spec, serverPid: 2 ** 22 + 17 });
    const server = gone.processes.server;
    expect(server.ok && server.value.stat).toMatchObject({ ok: false, value: null });
    expect(server.ok && !server.value.stat.ok && server.value.stat.reason).toMatch(/ENOENT/);
    const noNs = readSnapshot({ ...spec, kind: "lean", serverNetns: { pid: 2 ** 22 + 17, interfaces: ["eth0"] } });
    expect(noNs.server.interfaces.eth0).toMatchObject({ ok: false, value: null });
    expect(noNs.processes.server).toEqual({ ok: false, value: null, reason: "lean sample: not read" });
  });

  it("samples at a fixed rate, stops on stop(), and measures its own CPU overhead", async () => {
    const sampler = createSampler({ hz: 50, spec: { ...spec, serverPid: null, generatorPid: null } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    sampler.stop();
    await sampler.stopped;
    const count = sampler.samples;
    // One sample at creation, then at most one per 20 ms period (a loaded machine delays timers, never hastens them).
    expect(count).toBeGreaterThanOrEqual(3);
    expect(count).toBeLessThanOrEqual(1 + Math.floor(sampler.overhead().wallMs / 20));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sampler.samples).toBe(count);
    const { points: series, recorded, stride } = sampler.timeSeries();
    expect(series).toHaveLength(count - 1);
    expect([recorded, stride]).toEqual([count - 1, 1]);
    expect(series[0]?.pps).not.toBeNull();
    expect(series[0]?.softirqRate).not.toBeNull();
    const overhead = sampler.overhead();
    expect(overhead.samples).toBe(count);
    expect(overhead.processCpuUs).toBeGreaterThan(0);
    expect(overhead.overheadCpuPct).toBeGreaterThan(0);
    expect(overhead.readWallUs).toBeGreaterThan(0);
    expect(overhead.readWallPct).toBeLessThan(overhead.overheadCpuPct * 10);
  });

  it("hands over every point as made and keeps only its cap, merged over the same span", async () => {
    const made: TimeSeriesPoint[] = [];
    const sampler = createSampler({ hz: 100, maxPoints: 4, onPoint: (p) => made.push(p), spec: { ...spec, serverPid: null, generatorPid: null } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    sampler.stop();
    const { points, recorded, stride } = sampler.timeSeries();
    expect(recorded).toBe(made.length);
    expect(recorded).toBeGreaterThanOrEqual(8);
    expect(points.length).toBeLessThanOrEqual(4);
    expect(stride).toBeGreaterThanOrEqual(2);
    expect(points.at(-1)?.tMs).toBe(made.at(-1)?.tMs);
    const span = (ps: readonly TimeSeriesPoint[]): number => ps.reduce((sum, p) => sum + p.intervalMs, 0);
    expect(span(points)).toBeCloseTo(span(made), 6);
  });

  it("stops by itself at the max duration", async () => {
    const sampler = createSampler({ hz: 100, maxDurationMs: 50, spec: { ...spec, serverPid: null, generatorPid: null } });
    await sampler.stopped;
    expect(sampler.state).toBe("stopped");
  });
});
