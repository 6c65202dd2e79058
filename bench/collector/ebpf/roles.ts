/**
 * Which of the tasks seen in an eBPF window are kernel threads, and of which kind: ksoftirqd/N (softirqs deferred
 * from interrupt exit), napi/<dev>-<id> (threaded NAPI), or another kernel thread (kworkers, rcu, …). Every kernel
 * thread but kthreadd (pid 2) is kthreadd's child (kernel/kthread.c). `classifyKernelThreads` is pure; `readTaskStat`
 * is the I/O, read once at the window's end.
 */
import { readFileSync } from "node:fs";
import { parseProcPidStat } from "../parse-proc-pid-stat.ts";
import type { Roles } from "./attribution.ts";

const KTHREADD_PID = 2;

export interface TaskIdentity {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
}

export function classifyKernelThreads(tasks: readonly TaskIdentity[]): Roles["kernelThreads"] {
  const out = new Map<number, "ksoftirqd" | "napi" | "kernelThread">();
  for (const t of tasks) {
    if (t.pid !== KTHREADD_PID && t.ppid !== KTHREADD_PID) continue;
    out.set(t.pid, /^ksoftirqd\/\d+$/.test(t.comm) ? "ksoftirqd" : /^napi\/.+-\d+$/.test(t.comm) ? "napi" : "kernelThread");
  }
  return out;
}

/** `/proc/<pid>/stat` of each pid that still exists; a task that has exited is left out (it counts as "other"). */
export function readTaskIdentities(pids: Iterable<number>, procRoot = "/proc"): TaskIdentity[] {
  const out: TaskIdentity[] = [];
  for (const pid of pids) {
    if (pid <= 0) continue;
    try {
      const stat = parseProcPidStat(readFileSync(`${procRoot}/${pid}/stat`, "latin1"));
      out.push({ pid: stat.pid, ppid: stat.ppid, comm: stat.comm });
    } catch {
      // Gone since the window: an exited task's time stays under "otherTasks".
    }
  }
  return out;
}
