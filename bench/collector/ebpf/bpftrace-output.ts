/**
 * Parses what kernel-time.bt prints with `bpftrace -f json`: one JSON object per line. Tracking a process prints
 * `tracked <pid>`; a mark prints
 * `mark <epoch> <ns>`, then the closed epoch's maps (an empty map prints nothing), then `end <epoch>`; the parser
 * turns those lines into one `KernelTimeEpoch`. Pure and incremental: feed it lines as they arrive.
 */

/** Softirq time of one vector on one CPU, on the back of one task (its tgid; 0 = idle). */
export interface SoftirqRow {
  readonly cpu: number;
  /** include/linux/interrupt.h: 0 HI, 1 TIMER, 2 NET_TX, 3 NET_RX, 4 BLOCK, 5 IRQ_POLL, 6 TASKLET, 7 SCHED, 8 HRTIMER, 9 RCU. */
  readonly vec: number;
  readonly pid: number;
  /** Entry to exit, less hard interrupts nested inside. */
  readonly ns: number;
  readonly runs: number;
}

/** Hard interrupt time of one line on one CPU, on the back of one task. */
export interface HardirqRow {
  readonly cpu: number;
  /** An IRQ number, or a system vector below 0 (see `SYSTEM_VECTORS`). */
  readonly line: number;
  readonly pid: number;
  readonly ns: number;
  readonly count: number;
}

/** On-CPU time of one task (tgid) on one CPU, interrupts on its back included. */
export interface TaskRow {
  readonly cpu: number;
  readonly pid: number;
  readonly ns: number;
}

/** Syscall on-CPU time of the server or the generator on one CPU, and the interrupt time inside it. */
export interface SyscallRow {
  readonly cpu: number;
  readonly pid: number;
  readonly ns: number;
  /** Syscalls that ended on this CPU. */
  readonly count: number;
  /** Softirq and hard interrupt time that ran while the task was on the CPU inside a syscall. */
  readonly irqNs: number;
}

/** The time between two marks. */
export interface KernelTimeEpoch {
  readonly epoch: number;
  /** bpftrace's `nsecs` (CLOCK_MONOTONIC) when the epoch was closed. */
  readonly markNs: number;
  readonly tasks: readonly TaskRow[];
  /** Context switches per CPU. */
  readonly switches: Readonly<Record<string, number>>;
  readonly softirqs: readonly SoftirqRow[];
  readonly hardirqs: readonly HardirqRow[];
  readonly syscalls: readonly SyscallRow[];
}

/** The x86 system vectors kernel-time.bt numbers below 0, by their /proc/interrupts names. */
export const SYSTEM_VECTORS: Readonly<Record<string, string>> = {
  "-1": "LOC",
  "-2": "CAL",
  "-3": "RES",
  "-5": "TRM",
  "-6": "ERR",
  "-7": "SPU",
};

export type BpftraceLine =
  | { readonly kind: "ready" }
  | { readonly kind: "tracked"; readonly pid: number }
  | { readonly kind: "attached"; readonly probes: number }
  | { readonly kind: "epoch"; readonly epoch: KernelTimeEpoch }
  | { readonly kind: "lost"; readonly events: number }
  | { readonly kind: "other"; readonly text: string };

export class BpftraceOutputError extends Error {
  override readonly name = "BpftraceOutputError";
}

type MapValues = Readonly<Record<string, number>>;

/** Splits "3,1,4242" into numbers; throws on anything else. */
function keyNumbers(key: string, arity: number, map: string): number[] {
  const parts = key.split(",").map(Number);
  if (parts.length !== arity || parts.some((n) => !Number.isInteger(n))) {
    throw new BpftraceOutputError(`${map}: key ${JSON.stringify(key)} is not ${arity} integers`);
  }
  return parts;
}

function rows<T>(values: MapValues | undefined, arity: number, map: string, make: (k: number[], value: number) => T): T[] {
  if (values === undefined) return [];
  return Object.entries(values).map(([key, value]) => {
    if (typeof value !== "number" || !Number.isFinite(value)) throw new BpftraceOutputError(`${map}[${key}]: not a number`);
    return make(keyNumbers(key, arity, map), value);
  });
}

/** A time map and the count map beside it (same keys; a key missing from one counts 0 there). */
function joinedRows<T>(
  values: MapValues | undefined,
  counts: MapValues | undefined,
  arity: number,
  map: string,
  make: (k: number[], value: number, count: number) => T,
): T[] {
  const keys = new Set([...Object.keys(values ?? {}), ...Object.keys(counts ?? {})]);
  return [...keys].map((key) => {
    const value = values?.[key] ?? 0;
    const count = counts?.[key] ?? 0;
    if (!Number.isFinite(value) || !Number.isFinite(count)) throw new BpftraceOutputError(`${map}[${key}]: not a number`);
    return make(keyNumbers(key, arity, map), value, count);
  });
}

function toEpoch(epoch: number, markNs: number, maps: Readonly<Record<string, MapValues>>): KernelTimeEpoch {
  const sysIrq = maps.sys_irq_ns ?? {};
  return {
    epoch,
    markNs,
    tasks: rows(maps.run_ns, 2, "@run_ns", ([cpu = 0, pid = 0], ns) => ({ cpu, pid, ns })),
    switches: Object.fromEntries(Object.entries(maps.switches ?? {}).map(([cpu, n]) => [String(keyNumbers(cpu, 1, "@switches")[0]), n])),
    softirqs: joinedRows(maps.softirq_ns, maps.softirq_n, 3, "@softirq_ns", ([cpu = 0, vec = 0, pid = 0], ns, runs) => ({ cpu, vec, pid, ns, runs })),
    hardirqs: joinedRows(maps.hardirq_ns, maps.hardirq_n, 3, "@hardirq_ns", ([cpu = 0, line = 0, pid = 0], ns, count) => ({ cpu, line, pid, ns, count })),
    syscalls: joinedRows(maps.sys_ns, maps.syscalls, 2, "@sys_ns", ([cpu = 0, pid = 0], ns, count) => ({
      cpu,
      pid,
      ns,
      count,
      irqNs: sysIrq[`${cpu},${pid}`] ?? 0,
    })),
  };
}

/**
 * A line-at-a-time reader. `push` returns what a line completed: `ready`, an `epoch` at its `end` line, lost
 * events, or null while an epoch's maps are still coming.
 */
export function createOutputParser(): { push(line: string): BpftraceLine | null } {
  let open: { epoch: number; markNs: number; maps: Record<string, MapValues> } | null = null;
  return {
    push(line) {
      const text = line.trim();
      if (text === "") return null;
      let parsed: { type?: unknown; data?: unknown };
      try {
        parsed = JSON.parse(text) as { type?: unknown; data?: unknown };
      } catch {
        return { kind: "other", text };
      }
      const { type, data } = parsed;
      if (type === "attached_probes") return { kind: "attached", probes: Number((data as { probes?: unknown })?.probes ?? 0) };
      if (type === "lost_events") return { kind: "lost", events: Number((data as { events?: unknown })?.events ?? 0) };
      if (type === "printf" && typeof data === "string") {
        const words = data.trim().split(/\s+/);
        if (words[0] === "ready") return { kind: "ready" };
        if (words[0] === "tracked" && words.length === 2) return { kind: "tracked", pid: Number(words[1]) };
        if (words[0] === "mark" && words.length === 3) {
          if (open !== null) throw new BpftraceOutputError(`mark ${words[1]} before the end of epoch ${open.epoch}`);
          open = { epoch: Number(words[1]), markNs: Number(words[2]), maps: {} };
          return null;
        }
        if (words[0] === "end" && words.length === 2) {
          if (open === null || open.epoch !== Number(words[1])) throw new BpftraceOutputError(`end ${words[1]} without its mark`);
          const done = toEpoch(open.epoch, open.markNs, open.maps);
          open = null;
          return { kind: "epoch", epoch: done };
        }
        return { kind: "other", text: data.trim() };
      }
      if (type === "map" && open !== null && typeof data === "object" && data !== null) {
        for (const [name, values] of Object.entries(data as Record<string, unknown>)) {
          // "@run_ns0", "@run_ns1" and "@run_ns2" are the buffers of one figure (kernel-time.bt).
          const figure = name.replace(/^@/, "").replace(/[0-9]$/, "");
          if (typeof values !== "object" || values === null) throw new BpftraceOutputError(`${name}: not a map`);
          open.maps[figure] = values as MapValues;
        }
        return null;
      }
      return { kind: "other", text };
    },
  };
}
