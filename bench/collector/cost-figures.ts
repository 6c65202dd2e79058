import type { DropCounts } from "./drops.ts";
import type { InterruptSelector } from "./parse-interrupts.ts";

/** One CPU's /proc/stat time, µs (tick samples converted with USER_HZ). */
export interface CpuTimeUs {
  /** user + nice (guest time is already inside). */
  readonly user: number;
  readonly system: number;
  readonly softirq: number;
  readonly irq: number;
  /** user + nice + system + irq + softirq: steal and idle are not work done here. */
  readonly busy: number;
}

/**
 * CPU time in µs. Two views that must never be added together: with `CONFIG_IRQ_TIME_ACCOUNTING` off the softirq
 * time in /proc/stat is a tick sample *also* charged to the interrupted task (KERNEL-NOTES.md), so the process
 * figures already contain part of it. `total` is system-wide /proc/stat busy time over `cpus`, not a sum.
 */
export interface CpuUs {
  /** /proc/<server>/stat utime, ticks → µs (whole process). */
  readonly serverUser: number | null;
  readonly serverSys: number | null;
  /** Σ threads' schedstat run time, ns → µs: precise, user + sys together. */
  readonly serverRun: number | null;
  readonly clientUser: number | null;
  readonly clientSys: number | null;
  readonly clientRun: number | null;
  /** /proc/stat softirq and irq time summed over `cpus`. */
  readonly softirq: number | null;
  readonly irq: number | null;
  /** /proc/stat busy time summed over `cpus`. */
  readonly total: number | null;
  /** Time the hypervisor ran something else, summed over `cpus` (recorded, not part of `total`). */
  readonly steal: number | null;
  /** The CPUs `softirq`, `irq`, `total` and `steal` cover. */
  readonly cpus: readonly number[];
  readonly perCpu: Readonly<Record<string, CpuTimeUs>>;
}

/** The figures of issue 3's `perRequest` (divided by requests) or `totals` (the window's raw sums). */
export interface CostFigures {
  /** Interface packets at the server's interfaces: rx + tx (rx only on `lo`, which counts each packet both ways). */
  readonly packets: number | null;
  /** Interface bytes, same rule (veth in NAPI mode leaves the 14-byte Ethernet header out). */
  readonly bytes: number | null;
  /**
   * The same, by direction at the server interface (rx: requests arriving; tx: responses leaving), and TCP
   * `InSegs` / `OutSegs`. On `lo` every packet is rx, so tx is null there. Optional: results before it lack it.
   */
  readonly direction?: {
    readonly packetsRx: number | null;
    readonly packetsTx: number | null;
    readonly bytesRx: number | null;
    readonly bytesTx: number | null;
    readonly tcpInSegs: number | null;
    readonly tcpOutSegs: number | null;
  };
  /** `Tcp: InSegs + OutSegs` in the server namespace. */
  readonly tcpSegments: number | null;
  readonly retransSegments: number | null;
  /** Server `Tcp: PassiveOpens`, or client `Tcp: ActiveOpens` (see `CostOptions.connectionOpensFrom`). */
  readonly connectionOpens: number | null;
  /** NET_RX / NET_TX softirq runs, all CPUs (runs, not packets: batching lowers them under load). */
  readonly netRxSoftirqs: number | null;
  readonly netTxSoftirqs: number | null;
  readonly hardIrqs: {
    /** Every /proc/interrupts line's increase, all CPUs. */
    readonly total: number | null;
    /** Lines that moved, keyed by id ("CAL", "LOC", or "38 virtio2-input.0"). */
    readonly byLine: Readonly<Record<string, number>>;
    /** The lines of `CostOptions.nic`. */
    readonly nic: number | null;
  };
  readonly contextSwitches: {
    /** Σ over the server's threads (voluntary + nonvoluntary). */
    readonly server: number | null;
    readonly generator: number | null;
    /** /proc/stat ctxt, all CPUs. */
    readonly system: number | null;
  };
  readonly cpuUs: CpuUs;
  /** Σ over CPUs of softnet_stat counters. */
  readonly softnet: {
    readonly processed: number | null;
    readonly dropped: number | null;
    readonly timeSqueezed: number | null;
    readonly receivedRps: number | null;
    readonly flowLimitCount: number | null;
  };
  /**
   * Listen-queue, backlog and receive-buffer drops, per namespace: the server's (where saturation shows first)
   * and the load generator's. A namespace not read is null. Absent in results written before this field existed.
   */
  readonly drops?: {
    readonly server: DropCounts | null;
    readonly client: DropCounts | null;
  };
  /**
   * CPU time of the kernel threads that do receive work outside any process, from their schedstat (precise,
   * unlike /proc/stat's tick samples), µs: `ksoftirqdUs` keyed by CPU, `napiUs` by thread name
   * ("napi/eth0-8193"). Null when not measured (`SnapshotSpec.kernelThreads` unset); a thread that could not be
   * read is left out, with its reason under `missing["kernelThreads.<name>"]`. Absent in older results.
   */
  readonly kernelThreads?: KernelThreadsUs | null;
  /** Why each null figure is null, keyed by its path ("cpuUs.serverRun"). */
  readonly missing: Readonly<Record<string, string>>;
}

export interface KernelThreadsUs {
  readonly ksoftirqdUs: Readonly<Record<string, number>>;
  readonly napiUs: Readonly<Record<string, number>>;
}

export interface CostOptions {
  /** CPUs for `cpuUs.softirq/irq/total/steal`. Default: every CPU in /proc/stat. */
  readonly cpus?: readonly number[];
  /** Default "server-passive": accepted connections in the server namespace. */
  readonly connectionOpensFrom?: "server-passive" | "client-active";
  /** A real NIC's interrupt lines, reported as `hardIrqs.nic` (veth has none). */
  readonly nic?: InterruptSelector;
}

/**
 * Applies `scale` to every figure (per request: divide by requests). A figure `scale` turns to null gets `reason`.
 */
export function scaleFigures(f: CostFigures, scale: (value: number) => number | null, reason: string | null): CostFigures {
  const missing: Record<string, string> = { ...f.missing };
  const s = (path: string, value: number | null): number | null => {
    if (value === null) return null;
    const scaled = scale(value);
    if (scaled === null && reason !== null) missing[path] = reason;
    return scaled;
  };
  const record = <T>(values: Readonly<Record<string, T>>, fn: (value: T) => T | null): Record<string, T> => {
    const out: Record<string, T> = {};
    for (const [key, value] of Object.entries(values)) {
      const scaled = fn(value);
      if (scaled !== null) out[key] = scaled;
    }
    return out;
  };
  const c = f.cpuUs;
  return {
    packets: s("packets", f.packets),
    bytes: s("bytes", f.bytes),
    ...(f.direction === undefined
      ? {}
      : {
          direction: {
            packetsRx: s("direction.packetsRx", f.direction.packetsRx),
            packetsTx: s("direction.packetsTx", f.direction.packetsTx),
            bytesRx: s("direction.bytesRx", f.direction.bytesRx),
            bytesTx: s("direction.bytesTx", f.direction.bytesTx),
            tcpInSegs: s("direction.tcpInSegs", f.direction.tcpInSegs),
            tcpOutSegs: s("direction.tcpOutSegs", f.direction.tcpOutSegs),
          },
        }),
    tcpSegments: s("tcpSegments", f.tcpSegments),
    retransSegments: s("retransSegments", f.retransSegments),
    connectionOpens: s("connectionOpens", f.connectionOpens),
    netRxSoftirqs: s("netRxSoftirqs", f.netRxSoftirqs),
    netTxSoftirqs: s("netTxSoftirqs", f.netTxSoftirqs),
    hardIrqs: {
      total: s("hardIrqs.total", f.hardIrqs.total),
      byLine: record(f.hardIrqs.byLine, scale),
      nic: s("hardIrqs.nic", f.hardIrqs.nic),
    },
    contextSwitches: {
      server: s("contextSwitches.server", f.contextSwitches.server),
      generator: s("contextSwitches.generator", f.contextSwitches.generator),
      system: s("contextSwitches.system", f.contextSwitches.system),
    },
    cpuUs: {
      serverUser: s("cpuUs.serverUser", c.serverUser),
      serverSys: s("cpuUs.serverSys", c.serverSys),
      serverRun: s("cpuUs.serverRun", c.serverRun),
      clientUser: s("cpuUs.clientUser", c.clientUser),
      clientSys: s("cpuUs.clientSys", c.clientSys),
      clientRun: s("cpuUs.clientRun", c.clientRun),
      softirq: s("cpuUs.softirq", c.softirq),
      irq: s("cpuUs.irq", c.irq),
      total: s("cpuUs.total", c.total),
      steal: s("cpuUs.steal", c.steal),
      cpus: c.cpus,
      perCpu: record(c.perCpu, (t) => {
        const [user, system, softirq, irq, busy] = [t.user, t.system, t.softirq, t.irq, t.busy].map(scale);
        return user == null || system == null || softirq == null || irq == null || busy == null
          ? null
          : { user, system, softirq, irq, busy };
      }),
    },
    softnet: {
      processed: s("softnet.processed", f.softnet.processed),
      dropped: s("softnet.dropped", f.softnet.dropped),
      timeSqueezed: s("softnet.timeSqueezed", f.softnet.timeSqueezed),
      receivedRps: s("softnet.receivedRps", f.softnet.receivedRps),
      flowLimitCount: s("softnet.flowLimitCount", f.softnet.flowLimitCount),
    },
    ...(f.drops === undefined
      ? {}
      : { drops: { server: scaleDrops(f.drops.server, "drops.server", s), client: scaleDrops(f.drops.client, "drops.client", s) } }),
    ...(f.kernelThreads === undefined
      ? {}
      : {
          kernelThreads:
            f.kernelThreads === null
              ? null
              : { ksoftirqdUs: record(f.kernelThreads.ksoftirqdUs, scale), napiUs: record(f.kernelThreads.napiUs, scale) },
        }),
    missing,
  };
}

function scaleDrops(
  d: DropCounts | null,
  prefix: string,
  s: (path: string, value: number | null) => number | null,
): DropCounts | null {
  if (d === null) return null;
  const out = {} as Record<keyof DropCounts, number | null>;
  for (const [field, value] of Object.entries(d) as [keyof DropCounts, number | null][]) out[field] = s(`${prefix}.${field}`, value);
  return out;
}

