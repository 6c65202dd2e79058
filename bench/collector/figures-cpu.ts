/**
 * CPU time and context switches: the server's and the generator's (per process), /proc/stat's on the run's CPUs
 * (global), and the receive kernel threads'. Two views that must never be added together: with
 * `CONFIG_IRQ_TIME_ACCOUNTING` off the softirq time in /proc/stat is a tick sample *also* charged to the interrupted
 * task (docs/kernel-notes.md § "IRQ time accounting"), so the process figures already contain part of it.
 */
import type { KernelThreadDelta } from "./kernel-threads.ts";
import {
  busyTicks,
  type FigureInput,
  fromWindow,
  overCpus,
  processOf,
  processRunUs,
  processTicksUs,
  stat,
  switches,
} from "./figure-input.ts";
import { figureKinds } from "./figure-groups.ts";
import type { CpuTimes } from "./parse-proc-stat.ts";
import { printed } from "./reading.ts";

export const CONTEXT_SWITCHES = fromWindow.group({
  /** Σ over the server's threads (voluntary + nonvoluntary). */
  server: fromWindow.counter({
    unit: "switches",
    scope: "process",
    source: "/proc/<server and its descendants>/task/*/status voluntary_ctxt_switches + nonvoluntary_ctxt_switches",
    compute: (x) => switches(processOf(x, "server")),
    csv: { column: 33, name: "ctx_switches_server_per_req", description: "server threads, voluntary + involuntary" },
  }),
  generator: fromWindow.counter({
    unit: "switches",
    scope: "process",
    source: "/proc/<generator and its descendants>/task/*/status voluntary_ctxt_switches + nonvoluntary_ctxt_switches",
    compute: (x) => switches(processOf(x, "generator")),
    csv: { column: 34, name: "ctx_switches_client_per_req", description: "generator threads, voluntary + involuntary" },
  }),
  /** /proc/stat ctxt, all CPUs. */
  system: fromWindow.counter({ unit: "switches", scope: "global", source: "/proc/stat ctxt", compute: (x) => printed(stat(x).ctxt, "/proc/stat ctxt") }),
});

/** One CPU's /proc/stat ticks and the tick length, for the per-CPU breakdown. */
interface CpuTicks {
  readonly times: CpuTimes;
  readonly usPerTick: number;
}

const oneCpu = figureKinds<CpuTicks>();

function cpuTimeUs(fields: string, ticks: (t: CpuTimes) => number) {
  return oneCpu.part({ unit: "µs", scope: "global", source: `/proc/stat cpuN ${fields}`, compute: (c) => ticks(c.times) * c.usPerTick });
}

/** One CPU's /proc/stat time, µs (tick samples converted with USER_HZ). */
const CPU_TIME = oneCpu.group({
  /** user + nice (guest time is already inside). */
  user: cpuTimeUs("user + nice", (t) => t.userTicks + t.niceTicks),
  system: cpuTimeUs("system", (t) => t.systemTicks),
  softirq: cpuTimeUs("softirq", (t) => printed(t.softirqTicks, "softirq")),
  irq: cpuTimeUs("irq", (t) => printed(t.irqTicks, "irq")),
  /** user + nice + system + irq + softirq: steal and idle are not work done here. */
  busy: cpuTimeUs("user + nice + system + irq + softirq", busyTicks),
});

/** CPU time in µs. `total` is system-wide /proc/stat busy time over `cpus`, not a sum of the others. */
export const CPU_US = fromWindow.group({
  /** /proc/<server>/stat utime, ticks → µs (whole process). */
  serverUser: fromWindow.counter({
    unit: "µs",
    scope: "process",
    source: "/proc/<server>/stat utime",
    compute: (x) => processTicksUs(x, "server", "utimeTicks"),
    csv: { column: 36, name: "cpu_server_user_us_per_req", description: "server utime, 10 ms ticks, µs" },
  }),
  serverSys: fromWindow.counter({
    unit: "µs",
    scope: "process",
    source: "/proc/<server>/stat stime",
    compute: (x) => processTicksUs(x, "server", "stimeTicks"),
    csv: { column: 37, name: "cpu_server_sys_us_per_req", description: "server stime, 10 ms ticks, µs" },
  }),
  /** Σ threads' schedstat run time, ns → µs: precise, user + sys together. */
  serverRun: fromWindow.counter({
    unit: "µs",
    scope: "process",
    source: "/proc/<server and its descendants>/task/*/schedstat run time",
    compute: (x) => processRunUs(x, "server"),
    csv: { column: 35, name: "cpu_server_run_us_per_req", description: "server schedstat run time (user + sys), µs" },
  }),
  clientUser: fromWindow.counter({
    unit: "µs",
    scope: "process",
    source: "/proc/<generator>/stat utime",
    compute: (x) => processTicksUs(x, "generator", "utimeTicks"),
    csv: { column: 39, name: "cpu_client_user_us_per_req", description: "generator utime, µs" },
  }),
  clientSys: fromWindow.counter({
    unit: "µs",
    scope: "process",
    source: "/proc/<generator>/stat stime",
    compute: (x) => processTicksUs(x, "generator", "stimeTicks"),
    csv: { column: 40, name: "cpu_client_sys_us_per_req", description: "generator stime, µs" },
  }),
  clientRun: fromWindow.counter({
    unit: "µs",
    scope: "process",
    source: "/proc/<generator and its descendants>/task/*/schedstat run time",
    compute: (x) => processRunUs(x, "generator"),
    csv: { column: 38, name: "cpu_client_run_us_per_req", description: "generator schedstat run time, µs" },
  }),
  /** /proc/stat softirq and irq time summed over `cpus`. */
  softirq: fromWindow.counter({
    unit: "µs",
    scope: "global",
    source: "/proc/stat softirq of the run's CPUs",
    compute: (x) => overCpus(x, (t) => printed(t.softirqTicks, "/proc/stat softirq")),
    csv: {
      column: 41,
      name: "cpu_softirq_us_per_req",
      description: "/proc/stat softirq on the run's CPUs, ticks, µs (overlaps the process figures without IRQ time accounting)",
    },
  }),
  irq: fromWindow.counter({
    unit: "µs",
    scope: "global",
    source: "/proc/stat irq of the run's CPUs",
    compute: (x) => overCpus(x, (t) => printed(t.irqTicks, "/proc/stat irq")),
    csv: { column: 42, name: "cpu_irq_us_per_req", description: "/proc/stat irq on the run's CPUs, µs" },
  }),
  /** /proc/stat busy time summed over `cpus`. */
  total: fromWindow.counter({
    unit: "µs",
    scope: "global",
    source: "/proc/stat user + nice + system + irq + softirq of the run's CPUs",
    compute: (x) => overCpus(x, busyTicks),
    csv: { column: 43, name: "cpu_busy_us_per_req", description: "/proc/stat busy time on the run's CPUs, µs (not a sum of the columns above)" },
  }),
  /** Time the hypervisor ran something else, summed over `cpus` (recorded, not part of `total`). */
  steal: fromWindow.counter({
    unit: "µs",
    scope: "global",
    source: "/proc/stat steal of the run's CPUs",
    compute: (x) => overCpus(x, (t) => printed(t.stealTicks, "/proc/stat steal")),
    csv: { column: 44, name: "cpu_steal_us_per_req", description: "/proc/stat steal on the run's CPUs, µs" },
  }),
  /** The CPUs `softirq`, `irq`, `total` and `steal` cover. */
  cpus: fromWindow.fact({ source: "CostOptions.cpus, or every CPU /proc/stat lists", compute: (x) => [...x.cpus].sort((a, b) => a - b) }),
  /** Every CPU's /proc/stat time; a CPU whose line lacks a column is left out, with the reason. */
  perCpu: fromWindow.breakdown({
    entries: (x) => {
      if (!x.proc.stat.ok) throw new Error(x.proc.stat.reason);
      return Object.fromEntries(Object.entries(x.proc.stat.value.cpus).map(([cpu, times]) => [cpu, { times, usPerTick: x.usPerTick }]));
    },
    item: CPU_TIME,
  }),
});

/** A kernel thread whose schedstat was read at both ends. */
type ReadThread = KernelThreadDelta & { readonly runNs: number };

const threads = figureKinds<readonly ReadThread[]>();

/** Σ run time of the threads `pick` keys, ns → µs, keyed as `pick` says; threads it gives no key are left out. */
function threadUs(pick: (t: ReadThread) => string | null) {
  return (all: readonly ReadThread[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const t of all) {
      const key = pick(t);
      if (key !== null) out[key] = (out[key] ?? 0) + t.runNs / 1000;
    }
    return out;
  };
}

const threadRunUs = figureKinds<number>().part({ unit: "µs", scope: "global", source: "/proc/<kernel thread>/schedstat run time", compute: (us) => us });

/**
 * CPU time of the kernel threads that do receive work outside any process, from their schedstat (precise, unlike
 * /proc/stat's tick samples), µs: `ksoftirqdUs` keyed by CPU, `napiUs` by thread name ("napi/eth0-8193"). Global:
 * they serve whatever traffic reaches their CPU or device. Null when not measured (`SnapshotSpec.kernelThreads`
 * unset); a thread that could not be read is left out, with its reason under `missing["kernelThreads.<name>"]`.
 * Absent in older results.
 */
export const KERNEL_THREADS = threads.optionalSection(
  (x: FigureInput, note) => {
    const all = x.proc.kernelThreads;
    if (all === undefined || !all.ok) throw new Error(all?.reason ?? "not measured (no kernelThreads in the snapshots)");
    const read: ReadThread[] = [];
    for (const t of all.value) {
      if (t.runNs === null) note(t.name, t.reason ?? "not read");
      else read.push({ ...t, runNs: t.runNs });
    }
    return read;
  },
  {
    ksoftirqdUs: threads.breakdown({ entries: threadUs((t) => (t.kind === "ksoftirqd" ? String(t.cpu) : null)), item: threadRunUs }),
    napiUs: threads.breakdown({ entries: threadUs((t) => (t.kind === "napi" ? t.name : null)), item: threadRunUs }),
  },
);
