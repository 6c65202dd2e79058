/**
 * The cost figures of a window — issue 3's `totals` (the window's sums) and `perRequest` (divided by the completed
 * requests) — as one tree of figure descriptors. The tree *is* result.json's shape: its nesting and key order are
 * the order written here, and `CostFigures` is mapped from it, so a figure added to a group below appears in the
 * type, the totals, the per-request figures and `missing` at once. Descriptors live by subject in figures-*.ts.
 */
import type { FigureScope, FigureUnit } from "./figure-kinds.ts";
import { fromWindow } from "./figure-input.ts";
import type { GroupValue, ValueOf } from "./figure-groups.ts";
import { CONTEXT_SWITCHES, CPU_US, KERNEL_THREADS } from "./figures-cpu.ts";
import { DROPS } from "./figures-drops.ts";
import { BYTES, CONNECTION_OPENS, DIRECTION, PACKETS, RETRANS_SEGMENTS, TCP_SEGMENTS } from "./figures-packets.ts";
import { HARD_IRQS, NET_RX_SOFTIRQS, NET_TX_SOFTIRQS, SOFTNET_FIGURES } from "./figures-softirqs.ts";
import { CPU_ATTRIBUTION, NET_RX_NS_PER_PACKET } from "./figures-kernel-time.ts";

/** result.json's `perRequest` / `totals`, key by key in its order; a new top-level figure goes at the end. */
export const COST_FIGURE_NODES = {
  packets: PACKETS,
  bytes: BYTES,
  direction: DIRECTION,
  tcpSegments: TCP_SEGMENTS,
  retransSegments: RETRANS_SEGMENTS,
  connectionOpens: CONNECTION_OPENS,
  netRxSoftirqs: NET_RX_SOFTIRQS,
  netTxSoftirqs: NET_TX_SOFTIRQS,
  hardIrqs: HARD_IRQS,
  contextSwitches: CONTEXT_SWITCHES,
  cpuUs: CPU_US,
  softnet: SOFTNET_FIGURES,
  drops: DROPS,
  kernelThreads: KERNEL_THREADS,
  cpuAttribution: CPU_ATTRIBUTION,
  netRxNsPerPacket: NET_RX_NS_PER_PACKET,
};

/** The whole tree, computed from a `FigureInput`. */
export const COST_FIGURES = fromWindow.group(COST_FIGURE_NODES);

/** A window's figures, and why each null one is null, keyed by its path ("cpuUs.serverRun"). */
export type CostFigures = GroupValue<typeof COST_FIGURE_NODES> & { readonly missing: Readonly<Record<string, string>> };

export type CpuUs = ValueOf<typeof CPU_US>;
/** One CPU's /proc/stat time, µs. */
export type CpuTimeUs = CpuUs["perCpu"][string];
export type KernelThreadsUs = NonNullable<ValueOf<typeof KERNEL_THREADS>>;

/**
 * A figure read from others rather than from the kernel: not stored in result.json, computed wherever it is shown,
 * from stored figures — so a result written before a derived figure existed shows it too.
 */
export interface DerivedFigure {
  readonly kind: "derived";
  readonly unit: FigureUnit;
  readonly scope: FigureScope;
  /** How it is made from the stored figures, for people. */
  readonly source: string;
  readonly read: (f: CostFigures) => number | null;
}

function add(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === null || a === undefined || b === null || b === undefined ? null : a + b;
}

export const NET_SOFTIRQS: DerivedFigure = {
  kind: "derived",
  unit: "runs",
  scope: "global",
  source: "netRxSoftirqs + netTxSoftirqs",
  read: (f) => add(f.netRxSoftirqs, f.netTxSoftirqs),
};

/** schedstat run time is ns-precise; utime + stime are 10 ms ticks, the fallback when schedstat was unreadable. */
export const SERVER_CPU: DerivedFigure = {
  kind: "derived",
  unit: "µs",
  scope: "process",
  source: "cpuUs.serverRun, or cpuUs.serverUser + cpuUs.serverSys",
  read: (f) => f.cpuUs.serverRun ?? add(f.cpuUs.serverUser, f.cpuUs.serverSys),
};

export const CLIENT_CPU: DerivedFigure = {
  kind: "derived",
  unit: "µs",
  scope: "process",
  source: "cpuUs.clientRun, or cpuUs.clientUser + cpuUs.clientSys",
  read: (f) => f.cpuUs.clientRun ?? add(f.cpuUs.clientUser, f.cpuUs.clientSys),
};

/**
 * Softirq + hard interrupt time on the run's CPUs. With eBPF (`cpuAttribution.method` "ebpf") it is exact: the
 * attribution's softirq and hardIrq fields summed over the CPUs. Otherwise it is /proc/stat's softirq + irq, a tick
 * sample that, without IRQ time accounting, overlaps the process figures
 * (docs/kernel-notes.md § "IRQ time accounting").
 */
export const KERNEL_CPU: DerivedFigure = {
  kind: "derived",
  unit: "µs",
  scope: "global",
  source: "eBPF: Σ cpuAttribution.perCpu.*.(softirqNetRx + softirqNetTx + softirqOther + hardIrq); tick: cpuUs.softirq + cpuUs.irq",
  read: (f) => exactKernelUs(f) ?? add(f.cpuUs.softirq, f.cpuUs.irq),
};

/** The eBPF attribution's softirq and hard interrupt time over the CPUs; null without eBPF. */
export function exactKernelUs(f: CostFigures): number | null {
  const a = f.cpuAttribution;
  if (a === undefined || a === null || a.method !== "ebpf") return null;
  let sum = 0;
  for (const split of Object.values(a.perCpu)) {
    for (const v of [split.softirqNetRx, split.softirqNetTx, split.softirqOther, split.hardIrq]) {
      if (v === null) return null;
      sum += v;
    }
  }
  return sum;
}

/** USER_HZ, the unit of /proc/stat's CPU times: 100 on every Linux ABI the harness runs on. */
const USER_HZ_TICK_US = 10_000;

/**
 * The relative error of the tick method's kernel figure, about 1 ÷ √(ticks sampled): a window whose softirq + irq
 * time is 100 ticks is known to about ±10%. Null with eBPF (exact) or without ticks.
 */
export function tickKernelErrorPct(totals: CostFigures): number | null {
  if (exactKernelUs(totals) !== null) return null;
  const us = add(totals.cpuUs.softirq, totals.cpuUs.irq);
  if (us === null || !(us > 0)) return null;
  return 100 / Math.sqrt(us / USER_HZ_TICK_US);
}
