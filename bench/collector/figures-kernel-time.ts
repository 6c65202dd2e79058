/**
 * Where every microsecond of each of the run's CPUs went (`cpuAttribution`), and the exact NET_RX time per received
 * packet (`netRxNsPerPacket`).
 *
 * With eBPF (`method: "ebpf"`, bench/collector/ebpf/) the fields are exact and do not overlap: they add up to the
 * CPU's wall time, and what they miss is the residual. Without it (`method: "tick"`) only what /proc can tell is
 * filled: the processes' utime and stime and /proc/stat's irq and idle ticks, on the CPU each process is pinned to;
 * the softirq split and the other tasks are null, and a process's stime still holds the softirq work done on its
 * back (docs/kernel-notes.md § "IRQ time accounting") — which is why the two methods are never compared.
 */
import { ATTRIBUTION_FIELDS, type AttributionField } from "./ebpf/attribution.ts";
import { fieldRecord } from "./field-record.ts";
import { type FigureInput, fromWindow, processTicksUs } from "./figure-input.ts";
import { figureKinds } from "./figure-groups.ts";
import type { CpuTimes } from "./parse-proc-stat.ts";
import { need } from "./reading.ts";

export type KernelTimeMethod = "ebpf" | "tick";

const SPLIT_FIELDS = [...ATTRIBUTION_FIELDS, "wall", "residual"] as const;
type SplitField = (typeof SPLIT_FIELDS)[number];
/** One CPU's split, µs; null where the method cannot tell. */
type SplitEntry = Readonly<Record<SplitField, number | null>>;

interface AttributionInput {
  readonly method: KernelTimeMethod;
  readonly perCpu: Readonly<Record<string, SplitEntry>>;
  readonly residualPct: number | null;
}

const SOURCES: Readonly<Record<SplitField, string>> = {
  serverUser: "eBPF: the server's on-CPU time (sched_switch) less interrupts on its back and its syscall time; tick: /proc/<server>/stat utime",
  serverSys: "eBPF: the server's on-CPU time inside syscalls (raw_syscalls) less interrupts there; tick: /proc/<server>/stat stime (softirqs on its back included)",
  clientUser: "as serverUser, for the generator",
  clientSys: "as serverSys, for the generator",
  softirqNetRx: "eBPF: irq:softirq_entry → exit of NET_RX, less hard interrupts nested inside, wherever it ran",
  softirqNetTx: "eBPF: the same for NET_TX",
  softirqOther: "eBPF: the same for every other vector (TIMER, SCHED, RCU, …)",
  hardIrq: "eBPF: irq:irq_handler and irq_vectors (timer, IPIs) entry → exit; tick: /proc/stat irq",
  kernelThreads: "eBPF: kernel threads' on-CPU time (ksoftirqd, napi/*, kworkers) less the interrupts they ran",
  otherTasks: "eBPF: every other task's on-CPU time less interrupts on its back (the harness, bpftrace, …)",
  idle: "eBPF: the idle task's time less interrupts on its back; tick: /proc/stat idle + iowait",
  wall: "the window: eBPF marks, or /proc/stat's ticks of the CPU",
  residual: "wall less the fields: time no field accounts for",
};

const inCpu = figureKinds<SplitEntry>();
const field = (name: SplitField) =>
  inCpu.counter({
    unit: "µs",
    scope: "global",
    source: SOURCES[name],
    compute: (entry) => {
      const value = entry[name];
      if (value === null) throw new Error(`the tick method cannot tell ${name}`);
      return value;
    },
  });

const CPU_SPLIT = inCpu.group(fieldRecord(SPLIT_FIELDS, field));

const inAttribution = figureKinds<AttributionInput>();

export const CPU_ATTRIBUTION = inAttribution.optionalSection((x: FigureInput) => attributionInput(x), {
  method: inAttribution.fact({ source: "ebpf when bpftrace measured the window, else tick", compute: (a) => a.method }),
  perCpu: inAttribution.breakdown({ entries: (a) => a.perCpu, item: CPU_SPLIT }),
  residualPct: inAttribution.ratio({
    unit: "%",
    scope: "global",
    source: "the largest |residual| ÷ wall over the CPUs (eBPF only)",
    csv: { column: 48, name: "cpu_attribution_residual_pct", description: "eBPF: the largest share of a CPU's window the attribution left unaccounted, %" },
    compute: (a) => {
      if (a.residualPct === null) throw new Error("the tick method's fields do not add up to the wall time");
      return a.residualPct;
    },
  }),
});

export const NET_RX_NS_PER_PACKET = fromWindow.optionalRatio({
  unit: "ns",
  scope: "global",
  source: "eBPF: NET_RX softirq time on the run's CPUs ÷ packets received by the run's interfaces",
  csv: { column: 75, name: "net_rx_ns_per_packet", description: "eBPF: exact NET_RX softirq ns per packet received by the run's interfaces" },
  compute: (x) => {
    if (x.kernelTime === null) throw new Error("exact NET_RX time needs eBPF (the tick method has none)");
    const ns = x.kernelTime.attribution.netRxNsPerPacket;
    if (ns === null) throw new Error("no packets were received in the window");
    return ns;
  },
});

function attributionInput(x: FigureInput): AttributionInput {
  if (x.kernelTime !== null) {
    const perCpu: Record<string, SplitEntry> = {};
    for (const [cpu, split] of Object.entries(x.kernelTime.attribution.perCpu)) {
      perCpu[cpu] = fieldRecord(SPLIT_FIELDS, (f) => split[f] / 1000);
    }
    return { method: "ebpf", perCpu, residualPct: x.kernelTime.attribution.residualPct };
  }
  return { method: "tick", perCpu: tickSplit(x), residualPct: null };
}

/** The tick method: /proc/stat's own ticks (before the idle baseline is taken off) and the processes' ticks. */
function tickSplit(x: FigureInput): Record<string, SplitEntry> {
  const stat = need(x.proc.baseline?.raw.stat ?? x.proc.stat, "/proc/stat");
  const { serverCpu = null, clientCpu = null } = x.options;
  const out: Record<string, SplitEntry> = {};
  for (const cpu of x.cpus) {
    const t = stat.cpus[String(cpu)];
    if (t === undefined) throw new Error(`/proc/stat has no cpu${cpu}`);
    const on = (which: "server" | "generator", pinned: number | null, ticks: "utimeTicks" | "stimeTicks"): number | null =>
      pinned === null ? null : pinned === cpu ? processTicksUs(x, which, ticks) : 0;
    const entry: Record<AttributionField, number | null> = {
      serverUser: on("server", serverCpu, "utimeTicks"),
      serverSys: on("server", serverCpu, "stimeTicks"),
      clientUser: on("generator", clientCpu, "utimeTicks"),
      clientSys: on("generator", clientCpu, "stimeTicks"),
      softirqNetRx: null,
      softirqNetTx: null,
      softirqOther: null,
      hardIrq: (t.irqTicks ?? 0) * x.usPerTick,
      kernelThreads: null,
      otherTasks: null,
      idle: (t.idleTicks + (t.iowaitTicks ?? 0)) * x.usPerTick,
    };
    out[String(cpu)] = { ...entry, wall: allTicks(t) * x.usPerTick, residual: null };
  }
  return out;
}

function allTicks(t: CpuTimes): number {
  // guest time is already inside user (kernel/sched/cputime.c account_guest_time).
  return t.userTicks + t.niceTicks + t.systemTicks + t.idleTicks + (t.iowaitTicks ?? 0) + (t.irqTicks ?? 0) + (t.softirqTicks ?? 0) + (t.stealTicks ?? 0);
}
