import { assertSameCpus, delta32, delta64, deltaPerCpu32 } from "./counter-math.ts";
import type {
  InterruptDelta,
  NetnsDelta,
  ProcessDelta,
  ProcStatDelta,
  SnapshotDelta,
  SoftnetDelta,
} from "./delta-types.ts";
import { fieldRecord } from "./field-record.ts";
import { diffKernelThreads } from "./kernel-threads.ts";
import type { InterruptLine } from "./parse-interrupts.ts";
import type { SnmpTable } from "./parse-net-snmp.ts";
import { NET_DEV_FIELDS, type NetDevCounters } from "./parse-proc-net-dev.ts";
import { CPU_TIMES_ALWAYS, CPU_TIMES_LATER, type CpuTimes, type ProcStat } from "./parse-proc-stat.ts";
import type { SoftirqTable } from "./parse-softirqs.ts";
import type { SoftnetRow } from "./parse-softnet-stat.ts";
import { combineReadings, missing, need, printed, type Reading } from "./reading.ts";
import type { NetnsSnapshot, ProcessSnapshot, Snapshot } from "./snapshot-types.ts";

/**
 * The increase of every counter from snapshot `a` to snapshot `b` — pure.
 *
 * 32-bit counters (softnet, per-CPU softirqs, per-CPU interrupts) are taken per CPU and per field modulo 2^32
 * before any sum; 64-bit ones (net/dev, snmp, /proc/stat, process counters) plainly. A reading missing on either
 * side stays missing, with its reason.
 */
export function diffSnapshots(a: Snapshot, b: Snapshot): SnapshotDelta {
  return {
    kind: a.kind === "full" && b.kind === "full" ? "full" : "lean",
    windowMs: b.tMs - a.tMs,
    fromEpochMs: a.epochMs,
    toEpochMs: b.epochMs,
    userHz: b.userHz,
    server: diffNetns(a.server, b.server),
    client: a.client !== null && b.client !== null ? diffNetns(a.client, b.client) : null,
    bridge: a.bridge != null && b.bridge != null ? diffNetns(a.bridge, b.bridge) : null,
    hostNetDev: combineReadings(a.hostNetDev, b.hostNetDev, diffNetDevMap),
    softirqs: combineReadings(a.softirqs, b.softirqs, diffSoftirqs),
    interrupts: combineReadings(a.interrupts, b.interrupts, diffInterrupts),
    softnet: combineReadings(a.softnet, b.softnet, diffSoftnet),
    stat: combineReadings(a.stat, b.stat, diffProcStat),
    processes: {
      server: combineProcess(a.processes.server, b.processes.server),
      generator: combineProcess(a.processes.generator, b.processes.generator),
    },
    baseline: null,
    kernelThreads: combineReadings(
      a.kernelThreads ?? missing("not in this snapshot"),
      b.kernelThreads ?? missing("not in this snapshot"),
      diffKernelThreads,
    ),
  };
}

function diffNetns(a: NetnsSnapshot, b: NetnsSnapshot): NetnsDelta {
  const interfaces: Record<string, Reading<NetDevCounters>> = {};
  for (const [name, end] of Object.entries(b.interfaces)) {
    const start = a.interfaces[name] ?? missing(`interface ${name} not read at window start`);
    interfaces[name] = combineReadings(start, end, diffNetDev);
  }
  return {
    source: b.source,
    interfaces,
    snmp: combineReadings(a.snmp, b.snmp, diffSnmp),
    netstat: combineReadings(a.netstat, b.netstat, diffSnmp),
  };
}

function diffNetDev(a: NetDevCounters, b: NetDevCounters): NetDevCounters {
  return fieldRecord(NET_DEV_FIELDS, (field) => delta64(a[field], b[field]));
}

/** Interfaces present at both ends only (one created or deleted in the window has no meaningful delta). */
function diffNetDevMap(
  a: Readonly<Record<string, NetDevCounters>>,
  b: Readonly<Record<string, NetDevCounters>>,
): Record<string, NetDevCounters> {
  const out: Record<string, NetDevCounters> = {};
  for (const [name, end] of Object.entries(b)) {
    const start = a[name];
    if (start !== undefined) out[name] = diffNetDev(start, end);
  }
  return out;
}

function diffSnmp(a: SnmpTable, b: SnmpTable): SnmpTable {
  const out: Record<string, Record<string, number>> = {};
  for (const [section, fields] of Object.entries(b)) {
    const start = a[section];
    if (start === undefined) continue;
    const section_: Record<string, number> = {};
    for (const [field, value] of Object.entries(fields)) {
      const before = start[field];
      if (before !== undefined) section_[field] = delta64(before, value);
    }
    out[section] = section_;
  }
  return out;
}

function diffSoftirqs(a: SoftirqTable, b: SoftirqTable): SoftirqTable {
  const out: Record<string, Record<string, number>> = {};
  for (const [type, perCpu] of Object.entries(b)) {
    const start = a[type];
    if (start === undefined) throw new Error(`softirqs: ${type} appeared in the window`);
    out[type] = deltaPerCpu32(start, perCpu, `softirqs ${type}`);
  }
  return out;
}

/** A line that appears in the window (irq allocated) counts from 0; one that disappears is dropped. */
function diffInterrupts(a: readonly InterruptLine[], b: readonly InterruptLine[]): InterruptDelta[] {
  const before = new Map(a.map((line) => [line.id, line]));
  return b.map((line) => {
    const start = before.get(line.id);
    const base = { id: line.id, irq: line.irq, devices: line.devices, description: line.description };
    if (line.perCpu !== null) {
      const zero = Object.fromEntries(Object.keys(line.perCpu).map((cpu) => [cpu, 0]));
      const perCpu = deltaPerCpu32(start?.perCpu ?? zero, line.perCpu, `interrupts ${line.id}`);
      return { ...base, perCpu, total: Object.values(perCpu).reduce((sum, n) => sum + n, 0) };
    }
    return { ...base, perCpu: null, total: delta32(start?.count ?? 0, line.count ?? 0) };
  });
}

function diffSoftnet(a: readonly SoftnetRow[], b: readonly SoftnetRow[]): Record<string, SoftnetDelta> {
  assertSameCpus(
    a.map((row) => String(row.cpu)),
    b.map((row) => String(row.cpu)),
    "softnet_stat",
  );
  const before = new Map(a.map((row) => [row.cpu, row]));
  const out: Record<string, SoftnetDelta> = {};
  for (const end of b) {
    // assertSameCpus above makes this a formality.
    const start = before.get(end.cpu);
    if (start === undefined) throw new Error(`softnet_stat: CPU ${end.cpu} not read at window start`);
    const optional = (x: number | null, y: number | null): number | null =>
      x === null || y === null ? null : delta32(x, y);
    out[String(end.cpu)] = {
      processed: delta32(start.processed, end.processed),
      dropped: delta32(start.dropped, end.dropped),
      timeSqueeze: delta32(start.timeSqueeze, end.timeSqueeze),
      cpuCollision: delta32(start.cpuCollision, end.cpuCollision),
      receivedRps: optional(start.receivedRps, end.receivedRps),
      flowLimitCount: optional(start.flowLimitCount, end.flowLimitCount),
      backlogLenAtEnd: end.backlogLen,
      inputQueueLenAtEnd: end.inputQueueLen,
      processQueueLenAtEnd: end.processQueueLen,
    };
  }
  return out;
}

export function diffCpuTimes(a: CpuTimes, b: CpuTimes): CpuTimes {
  return {
    ...fieldRecord(CPU_TIMES_ALWAYS, (field) => delta64(a[field], b[field])),
    ...fieldRecord(CPU_TIMES_LATER, (field) => {
      const x = a[field];
      const y = b[field];
      return x === null || y === null ? null : delta64(x, y);
    }),
  };
}

function diffProcStat(a: ProcStat, b: ProcStat): ProcStatDelta {
  assertSameCpus(Object.keys(a.cpus), Object.keys(b.cpus), "stat");
  const cpus: Record<string, CpuTimes> = {};
  for (const [cpu, end] of Object.entries(b.cpus)) {
    // assertSameCpus above makes this a formality.
    const start = a.cpus[cpu];
    if (start === undefined) throw new Error(`stat: cpu${cpu} not read at window start`);
    cpus[cpu] = diffCpuTimes(start, end);
  }
  const scalar = (x: number | null, y: number | null): number | null => (x === null || y === null ? null : y - x);
  return {
    total: diffCpuTimes(a.total, b.total),
    cpus,
    ctxt: scalar(a.ctxt, b.ctxt),
    intrTotal: scalar(a.intrTotal, b.intrTotal),
    softirqTotal: scalar(a.softirqTotal, b.softirqTotal),
    processes: scalar(a.processes, b.processes),
  };
}

function combineProcess(a: Reading<ProcessSnapshot>, b: Reading<ProcessSnapshot>): Reading<ProcessDelta> {
  return combineReadings(a, b, diffProcess);
}

function diffProcess(a: ProcessSnapshot, b: ProcessSnapshot): ProcessDelta {
  if (a.pid !== b.pid) throw new Error(`pid changed in the window (${a.pid} → ${b.pid})`);
  const cpu = combineReadings(a.stat, b.stat, (x, y) => {
    if (x.startTimeTicks !== y.startTimeTicks) throw new Error(`process ${a.pid} restarted in the window`);
    return { utimeTicks: delta64(x.utimeTicks, y.utimeTicks), stimeTicks: delta64(x.stimeTicks, y.stimeTicks) };
  });
  const startTasks = a.tasks.ok ? a.tasks.value : {};
  const endTasks = b.tasks.ok ? b.tasks.value : {};
  const started = Object.keys(endTasks).filter((tid) => !(tid in startTasks)).length;
  const exited = Object.keys(startTasks).filter((tid) => !(tid in endTasks)).length;
  return {
    pid: b.pid,
    cpu,
    contextSwitches: combineReadings(a.tasks, b.tasks, (x, y) => {
      let voluntary = 0;
      let nonvoluntary = 0;
      for (const [tid, task] of Object.entries(y)) {
        const end = need(task.status, `thread ${tid} status at window end`);
        const start = x[tid] === undefined ? null : need(x[tid].status, `thread ${tid} status at window start`);
        voluntary += delta64(start?.voluntaryCtxtSwitches ?? 0, printed(end.voluntaryCtxtSwitches, "voluntary_ctxt_switches"));
        nonvoluntary += delta64(
          start?.nonvoluntaryCtxtSwitches ?? 0,
          printed(end.nonvoluntaryCtxtSwitches, "nonvoluntary_ctxt_switches"),
        );
      }
      return { voluntary, nonvoluntary };
    }),
    schedstat: combineReadings(a.tasks, b.tasks, (x, y) => {
      let runNs = 0;
      let waitNs = 0;
      let timeslices = 0;
      for (const [tid, task] of Object.entries(y)) {
        const end = need(task.schedstat, `thread ${tid} schedstat at window end`);
        const start = x[tid] === undefined ? null : need(x[tid].schedstat, `thread ${tid} schedstat at window start`);
        runNs += delta64(start?.runNs ?? 0, end.runNs);
        waitNs += delta64(start?.waitNs ?? 0, end.waitNs);
        timeslices += delta64(start?.timeslices ?? 0, end.timeslices);
      }
      return { runNs, waitNs, timeslices };
    }),
    threadsAtEnd: Object.keys(endTasks).length,
    threadsStarted: started,
    threadsExited: exited,
  };
}
