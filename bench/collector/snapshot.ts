import fs from "node:fs";
import { performance } from "node:perf_hooks";
import { userHz } from "./kernel-info.ts";
import { readKernelThreads } from "./kernel-threads.ts";
import { parseInterrupts } from "./parse-interrupts.ts";
import { parseNetSnmp } from "./parse-net-snmp.ts";
import { parseProcNetDev, type NetDevCounters } from "./parse-proc-net-dev.ts";
import { parseProcPidStat } from "./parse-proc-pid-stat.ts";
import { parseProcPidStatus } from "./parse-proc-pid-status.ts";
import { parseProcStat } from "./parse-proc-stat.ts";
import { parseSchedstat } from "./parse-schedstat.ts";
import { parseSoftirqs } from "./parse-softirqs.ts";
import { parseSoftnetStat } from "./parse-softnet-stat.ts";
import { walkProcessTree } from "./process-tree.ts";
import { createProcReader, type ProcReader } from "./proc-reader.ts";
import { describeError, errorCode, mapReading, missing, ok, type Reading } from "./reading.ts";
import type {
  NetnsSnapshot,
  NetnsSpec,
  ProcessSnapshot,
  Snapshot,
  SnapshotSpec,
  TaskSample,
} from "./snapshot-types.ts";

const LEAN = "lean sample: not read";

/**
 * Reads one snapshot: the only I/O of the collector. Nothing is computed here beyond parsing; anything unreadable
 * is a missing reading with its reason.
 *
 * Pass a long-lived `reader` (and close it at the end of the run) so fds stay open between snapshots; without one
 * a reader is opened and closed for this call.
 */
export function readSnapshot(spec: SnapshotSpec, reader?: ProcReader): Snapshot {
  const own = reader ?? createProcReader();
  try {
    return read(spec, own);
  } finally {
    if (reader === undefined) own.close();
  }
}

function read(spec: SnapshotSpec, reader: ProcReader): Snapshot {
  const full = spec.kind === "full";
  const tMs = performance.now();
  const epochMs = Date.now();
  const parsed = <T>(path: string, parse: (text: string) => T): Reading<T> => mapReading(reader.tryRead(path), parse);

  const server = readNetns(spec.serverNetns, full, reader);
  const softirqs = parsed("/proc/softirqs", parseSoftirqs);
  const stat = parsed("/proc/stat", parseProcStat);
  const softnet = parsed("/proc/net/softnet_stat", parseSoftnetStat);
  const interrupts = full ? parsed("/proc/interrupts", parseInterrupts) : missing(LEAN);
  const client = full && spec.clientNetns ? readNetns(spec.clientNetns, true, reader) : null;
  const bridge = full && spec.bridgeNetns ? readNetns(spec.bridgeNetns, true, reader) : null;
  const hostNetDev =
    full && spec.hostNetDev !== false ? parsed("/proc/1/net/dev", parseProcNetDev) : missing(full ? "not asked for" : LEAN);
  const processes = {
    server: full ? readProcess(spec.serverPid, "server", reader) : missing<ProcessSnapshot>(LEAN),
    generator: full ? readProcess(spec.generatorPid, "generator", reader) : missing<ProcessSnapshot>(LEAN),
  };
  const kernelThreads =
    spec.kernelThreads === undefined
      ? missing("no kernel threads asked for (SnapshotSpec.kernelThreads)")
      : full
        ? ok(readKernelThreads(spec.kernelThreads, (path) => reader.read(path)))
        : missing(LEAN);
  const readUs = (performance.now() - tMs) * 1000;
  return {
    kind: spec.kind,
    tMs,
    epochMs,
    readUs,
    userHz: userHz(),
    server,
    client,
    bridge,
    hostNetDev,
    softirqs,
    interrupts,
    softnet,
    stat,
    processes,
    kernelThreads,
  };
}

function readNetns(spec: NetnsSpec, full: boolean, reader: ProcReader): NetnsSnapshot {
  const source = spec.pid === null ? "/proc/self/net" : `/proc/${spec.pid}/net`;
  const dev = mapReading(reader.tryRead(`${source}/dev`), parseProcNetDev);
  const interfaces: Record<string, Reading<NetDevCounters>> = {};
  for (const name of spec.interfaces) {
    if (!dev.ok) interfaces[name] = dev;
    else {
      const counters = dev.value[name];
      interfaces[name] = counters === undefined ? missing(`${source}/dev has no interface ${name}`) : ok(counters);
    }
  }
  return {
    source,
    interfaces,
    snmp: full ? mapReading(reader.tryRead(`${source}/snmp`), parseNetSnmp) : missing(LEAN),
    netstat: full ? mapReading(reader.tryRead(`${source}/netstat`), parseNetSnmp) : missing(LEAN),
  };
}

function readProcess(pid: number | null, role: string, reader: ProcReader): Reading<ProcessSnapshot> {
  if (pid === null) return missing(`no ${role} pid given`);
  const base = `/proc/${pid}`;
  const stat = mapReading(reader.tryRead(`${base}/stat`), parseProcPidStat);
  const status = mapReading(reader.tryRead(`${base}/status`), parseProcPidStatus);
  // Every thread of the process and of its descendants (process-tree.ts), keyed by tid, which no two share.
  const all: Record<string, TaskSample> = {};
  let rootTasks: Reading<Record<string, TaskSample>> = missing(`${base}/task: not read`);
  const pids = walkProcessTree(pid, {
    tids: (p) => {
      const tasks = readTasks(`/proc/${p}`, reader);
      if (p === pid) rootTasks = tasks;
      if (!tasks.ok) return null;
      Object.assign(all, tasks.value);
      return Object.keys(tasks.value);
    },
    children: (p, tid) => {
      const text = reader.tryRead(`/proc/${p}/task/${tid}/children`);
      return text.ok ? text.value : null;
    },
  });
  forgetLeftProcesses(reader, role, pids);
  return ok({ pid, pids, stat, status, tasks: rootTasks.ok ? ok(all) : rootTasks });
}

/** Per reader and role, the tree's pids at the last snapshot, so a process that left it has its open files closed. */
const lastTrees = new WeakMap<ProcReader, Map<string, readonly number[]>>();

function forgetLeftProcesses(reader: ProcReader, role: string, pids: readonly number[]): void {
  const trees = lastTrees.get(reader) ?? new Map<string, readonly number[]>();
  lastTrees.set(reader, trees);
  const now = new Set(pids);
  for (const gone of trees.get(role) ?? []) if (!now.has(gone)) reader.prune(`/proc/${gone}/`, () => false);
  trees.set(role, pids);
}

/**
 * Walks `/proc/<pid>/task/*`: context switches and schedstat are per thread
 * (docs/kernel-notes.md § "Per-thread counters").
 */
function readTasks(base: string, reader: ProcReader): Reading<Record<string, TaskSample>> {
  let tids: string[];
  try {
    tids = fs.readdirSync(`${base}/task`);
  } catch (error) {
    return missing(`${base}/task: ${describeError(error)}`);
  }
  const live = new Set(tids.map((tid) => `${base}/task/${tid}/`));
  reader.prune(`${base}/task/`, (path) => live.has(path.slice(0, path.lastIndexOf("/") + 1)));
  const tasks: Record<string, TaskSample> = {};
  for (const tid of tids) {
    const status = readTaskFile(`${base}/task/${tid}/status`, reader, parseProcPidStatus);
    const schedstat = readTaskFile(`${base}/task/${tid}/schedstat`, reader, parseSchedstat);
    if (status === "exited" || schedstat === "exited") continue;
    tasks[tid] = { status, schedstat };
  }
  return ok(tasks);
}

function readTaskFile<T>(path: string, reader: ProcReader, parse: (text: string) => T): Reading<T> | "exited" {
  let text: string;
  try {
    text = reader.read(path);
  } catch (error) {
    const code = errorCode(error);
    if (code === "ESRCH" || code === "ENOENT") return "exited";
    return missing(`${path}: ${describeError(error)}`);
  }
  return mapReading(ok(text), parse);
}
