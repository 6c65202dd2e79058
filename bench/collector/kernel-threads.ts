import fs from "node:fs";
import { parseProcPidStat, type PidStat } from "./parse-proc-pid-stat.ts";
import { parseSchedstat, type Schedstat } from "./parse-schedstat.ts";
import { describeError, missing, ok, type Reading } from "./reading.ts";

/**
 * The kernel threads that do receive work outside any process: `ksoftirqd/N` (softirqs deferred from interrupt
 * exit, kernel/softirq.c) and `napi/<dev>-<napi id>` (threaded NAPI, net/core/dev.c `napi_kthread_create()`).
 * Their CPU time is in no server or generator figure, so the collector reads their `/proc/<pid>/schedstat`.
 */
export type KernelThreadKind = "ksoftirqd" | "napi";

export interface KernelThreadRef {
  readonly pid: number;
  /** The comm: "ksoftirqd/1", "napi/eth0-8193". */
  readonly name: string;
  readonly kind: KernelThreadKind;
  /** ksoftirqd: the CPU it serves; napi: null (unbound; see the sample's `lastCpu`). */
  readonly cpu: number | null;
}

/** kthreadd's pid: every kernel thread but itself is its child (kernel/kthread.c). */
const KTHREADD_PID = 2;

/**
 * Picks the ksoftirqd and napi threads out of `(pid, ppid, comm)` triples, by pid. Only children of kthreadd
 * count, so a process that renamed itself "napi/x" is not mistaken for one. Pure.
 */
export function selectKernelThreads(tasks: readonly { pid: number; ppid: number; comm: string }[]): KernelThreadRef[] {
  const out: KernelThreadRef[] = [];
  for (const t of tasks) {
    if (t.ppid !== KTHREADD_PID) continue;
    const softirqd = /^ksoftirqd\/(\d+)$/.exec(t.comm);
    if (softirqd !== null) out.push({ pid: t.pid, name: t.comm, kind: "ksoftirqd", cpu: Number(softirqd[1]) });
    else if (/^napi\/.+-\d+$/.test(t.comm)) out.push({ pid: t.pid, name: t.comm, kind: "napi", cpu: null });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/**
 * Scans `/proc/<pid>/comm` once (about a millisecond for a few hundred tasks) and reads `stat` of the candidates
 * only. Call it when building a `SnapshotSpec` — after the topology has turned threaded NAPI on, since its
 * threads appear then — not per snapshot.
 */
export function findKernelThreads(procRoot = "/proc"): KernelThreadRef[] {
  const candidates: { pid: number; ppid: number; comm: string }[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync(procRoot);
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = fs.readFileSync(`${procRoot}/${entry}/comm`, "latin1").trimEnd();
      if (!comm.startsWith("ksoftirqd/") && !comm.startsWith("napi/")) continue;
      const stat = parseProcPidStat(fs.readFileSync(`${procRoot}/${entry}/stat`, "latin1"));
      candidates.push({ pid: stat.pid, ppid: stat.ppid, comm });
    } catch {
      // exited meanwhile
    }
  }
  return selectKernelThreads(candidates);
}

/** One kernel thread at one snapshot. */
export interface KernelThreadSample extends KernelThreadRef {
  /** stat (identity: comm and start time; `processor` = last CPU) and schedstat (run time, ns). */
  readonly counters: Reading<{ readonly stat: PidStat; readonly schedstat: Schedstat }>;
}

/** Reads each thread's stat and schedstat with `read` (a ProcReader's, so fds stay open). */
export function readKernelThreads(refs: readonly KernelThreadRef[], read: (path: string) => string): KernelThreadSample[] {
  return refs.map((ref) => {
    try {
      const stat = parseProcPidStat(read(`/proc/${ref.pid}/stat`));
      if (stat.comm !== ref.name) return { ...ref, counters: missing(`pid ${ref.pid} is now ${JSON.stringify(stat.comm)}, not ${ref.name}`) };
      return { ...ref, counters: ok({ stat, schedstat: parseSchedstat(read(`/proc/${ref.pid}/schedstat`)) }) };
    } catch (error) {
      return { ...ref, counters: missing(`${ref.name} (pid ${ref.pid}): ${describeError(error)}`) };
    }
  });
}

/** One kernel thread's increase over a window. */
export interface KernelThreadDelta extends KernelThreadRef {
  /** schedstat run time, ns; null when either end is missing or the thread was replaced (see `reason`). */
  readonly runNs: number | null;
  readonly timeslices: number | null;
  /** The CPU it last ran on at the window's end. */
  readonly lastCpu: number | null;
  readonly reason: string | null;
}

/** Pairs the threads of two snapshots by pid — pure. A thread on one side only is left out. */
export function diffKernelThreads(a: readonly KernelThreadSample[], b: readonly KernelThreadSample[]): KernelThreadDelta[] {
  const before = new Map(a.map((t) => [t.pid, t]));
  const out: KernelThreadDelta[] = [];
  for (const end of b) {
    const start = before.get(end.pid);
    if (start === undefined) continue;
    const ref: KernelThreadRef = { pid: end.pid, name: end.name, kind: end.kind, cpu: end.cpu };
    const fail = (reason: string): KernelThreadDelta => ({ ...ref, runNs: null, timeslices: null, lastCpu: null, reason });
    if (!start.counters.ok) out.push(fail(`at window start: ${start.counters.reason}`));
    else if (!end.counters.ok) out.push(fail(`at window end: ${end.counters.reason}`));
    else if (start.counters.value.stat.startTimeTicks !== end.counters.value.stat.startTimeTicks) {
      out.push(fail(`${end.name} (pid ${end.pid}) was replaced in the window`));
    } else {
      const x = start.counters.value.schedstat;
      const y = end.counters.value.schedstat;
      out.push({ ...ref, runNs: y.runNs - x.runNs, timeslices: y.timeslices - x.timeslices, lastCpu: end.counters.value.stat.processor, reason: null });
    }
  }
  return out;
}
