/**
 * Where every nanosecond of each of the run's CPUs went, without overlap. Pure.
 *
 * Without CONFIG_IRQ_TIME_ACCOUNTING a softirq or hard interrupt that runs on the back of a task is also inside
 * that task's run time (docs/kernel-notes.md § "IRQ time accounting"). The eBPF window knows, for every
 * interrupt, which task it interrupted, so each task's own time is its on-CPU time less the interrupts on its back;
 * the server's and the generator's syscall time is their on-CPU time inside syscalls less the interrupts there. The
 * interrupts are then counted once, by vector, whatever they ran on. The fields add up to the window's wall time
 * on every CPU; what they miss (a slice not closed at a mark, a lost event) is the residual.
 */
import type { KernelTimeWindow } from "./kernel-time-window.ts";

export const ATTRIBUTION_FIELDS = [
  "serverUser",
  "serverSys",
  "clientUser",
  "clientSys",
  "softirqNetRx",
  "softirqNetTx",
  "softirqOther",
  "hardIrq",
  "kernelThreads",
  "otherTasks",
  "idle",
] as const;
export type AttributionField = (typeof ATTRIBUTION_FIELDS)[number];

/** One CPU's window split into the fields, plus its wall time and what the fields leave of it. */
export type CpuSplit = Readonly<Record<AttributionField, number>> & { readonly wall: number; readonly residual: number };

/** include/linux/interrupt.h's softirq vectors, by number. */
export const SOFTIRQ_VECTORS = ["HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU"] as const;
const NET_TX = 2;
const NET_RX = 3;

/** What a task is to the run. */
export type TaskRole = "server" | "generator" | "ksoftirqd" | "napi" | "kernelThread" | "idle" | "other";

export interface Roles {
  readonly serverPids: ReadonlySet<number>;
  readonly generatorPids: ReadonlySet<number>;
  /** Kernel threads (children of kthreadd) seen in the window, by kind. */
  readonly kernelThreads: ReadonlyMap<number, "ksoftirqd" | "napi" | "kernelThread">;
}

export function roleOf(pid: number, roles: Roles): TaskRole {
  if (pid === 0) return "idle";
  if (roles.serverPids.has(pid)) return "server";
  if (roles.generatorPids.has(pid)) return "generator";
  return roles.kernelThreads.get(pid) ?? "other";
}

export interface Attribution {
  /** Nanoseconds over the window, per CPU. */
  readonly perCpu: Readonly<Record<string, CpuSplit>>;
  /** The largest |residual| ÷ wall over the CPUs, %. */
  readonly residualPct: number;
  /** Softirq ns per CPU, vector name and the role of the task it ran on. */
  readonly softirqByContext: Readonly<Record<string, Readonly<Record<string, Readonly<Partial<Record<TaskRole, number>>>>>>>;
  /** NET_RX time over the CPUs ÷ `receivedPackets`; null without packets. */
  readonly netRxNsPerPacket: number | null;
}

function zeroSplit(): Record<AttributionField, number> {
  return Object.fromEntries(ATTRIBUTION_FIELDS.map((f) => [f, 0])) as Record<AttributionField, number>;
}

/**
 * @param receivedPackets packets received in the window at the server's interface and the client's (each is one
 *   pass through NET_RX on veth), for `netRxNsPerPacket`.
 */
export function attribute(window: KernelTimeWindow, roles: Roles, cpus: readonly number[], receivedPackets: number | null = null): Attribution {
  const perCpu: Record<string, CpuSplit> = {};
  const byContext: Record<string, Record<string, Partial<Record<TaskRole, number>>>> = {};
  let worst = 0;
  let netRxNs = 0;
  for (const cpu of cpus) {
    const split = zeroSplit();
    /** Interrupt time on the back of each task on this CPU. */
    const onBack = new Map<number, number>();
    const addBack = (pid: number, ns: number): void => void onBack.set(pid, (onBack.get(pid) ?? 0) + ns);
    const contexts: Record<string, Partial<Record<TaskRole, number>>> = {};
    for (const s of window.softirqs) {
      if (s.cpu !== cpu) continue;
      addBack(s.pid, s.ns);
      if (s.vec === NET_RX) {
        split.softirqNetRx += s.ns;
        netRxNs += s.ns;
      } else if (s.vec === NET_TX) split.softirqNetTx += s.ns;
      else split.softirqOther += s.ns;
      const name = SOFTIRQ_VECTORS[s.vec] ?? `vec${s.vec}`;
      const role = roleOf(s.pid, roles);
      const slot = (contexts[name] ??= {});
      slot[role] = (slot[role] ?? 0) + s.ns;
    }
    for (const h of window.hardirqs) {
      if (h.cpu !== cpu) continue;
      addBack(h.pid, h.ns);
      split.hardIrq += h.ns;
    }
    const sysNs = (pids: ReadonlySet<number>): number =>
      window.syscalls.filter((r) => r.cpu === cpu && pids.has(r.pid)).reduce((sum, r) => sum + r.ns - r.irqNs, 0);
    split.serverSys = sysNs(roles.serverPids);
    split.clientSys = sysNs(roles.generatorPids);
    for (const t of window.tasks) {
      if (t.cpu !== cpu) continue;
      const own = t.ns - (onBack.get(t.pid) ?? 0);
      switch (roleOf(t.pid, roles)) {
        case "server":
          split.serverUser += own;
          break;
        case "generator":
          split.clientUser += own;
          break;
        case "ksoftirqd":
        case "napi":
        case "kernelThread":
          split.kernelThreads += own;
          break;
        case "idle":
          split.idle += own;
          break;
        case "other":
          split.otherTasks += own;
          break;
      }
    }
    // The user share is what is left of the task's own time once its syscall time is taken out.
    split.serverUser -= split.serverSys;
    split.clientUser -= split.clientSys;
    const accounted = ATTRIBUTION_FIELDS.reduce((sum, f) => sum + split[f], 0);
    const residual = window.windowNs - accounted;
    worst = Math.max(worst, window.windowNs > 0 ? Math.abs(residual) / window.windowNs : 0);
    perCpu[String(cpu)] = { ...split, wall: window.windowNs, residual };
    byContext[String(cpu)] = contexts;
  }
  return {
    perCpu,
    residualPct: Math.round(worst * 100 * 10_000) / 10_000,
    softirqByContext: byContext,
    netRxNsPerPacket: receivedPackets !== null && receivedPackets > 0 ? netRxNs / receivedPackets : null,
  };
}
