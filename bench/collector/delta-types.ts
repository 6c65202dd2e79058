import type { KernelThreadDelta } from "./kernel-threads.ts";
import type { SnmpTable } from "./parse-net-snmp.ts";
import type { NetDevCounters } from "./parse-proc-net-dev.ts";
import type { CpuTimes } from "./parse-proc-stat.ts";
import type { SoftirqTable } from "./parse-softirqs.ts";
import type { PerCpu } from "./per-cpu.ts";
import type { Reading } from "./reading.ts";
import type { SnapshotKind } from "./snapshot-types.ts";

/** One `/proc/interrupts` line's increase over the window. */
export interface InterruptDelta {
  readonly id: string;
  readonly irq: number | null;
  readonly devices: readonly string[];
  readonly description: string;
  /** Per-CPU increases (each taken modulo 2^32); null for single-count lines (ERR, MIS). */
  readonly perCpu: PerCpu | null;
  /** Sum of the per-CPU increases, or the single count's increase. */
  readonly total: number;
}

/** One CPU's softnet increases; gauges are their value at the window's end. Columns the kernel lacks stay null. */
export interface SoftnetDelta {
  readonly processed: number;
  readonly dropped: number;
  readonly timeSqueeze: number;
  readonly cpuCollision: number;
  readonly receivedRps: number | null;
  readonly flowLimitCount: number | null;
  readonly backlogLenAtEnd: number | null;
  readonly inputQueueLenAtEnd: number | null;
  readonly processQueueLenAtEnd: number | null;
}

/** `/proc/stat` increases; tick fields as in `CpuTimes`. */
export interface ProcStatDelta {
  readonly total: CpuTimes;
  readonly cpus: Readonly<Record<string, CpuTimes>>;
  readonly ctxt: number | null;
  readonly intrTotal: number | null;
  readonly softirqTotal: number | null;
  readonly processes: number | null;
}

/** The global (not per-namespace, not per-process) sections: the ones an idle baseline is subtracted from. */
export interface GlobalDelta {
  readonly softirqs: Reading<SoftirqTable>;
  readonly interrupts: Reading<readonly InterruptDelta[]>;
  readonly softnet: Reading<Readonly<Record<string, SoftnetDelta>>>;
  readonly stat: Reading<ProcStatDelta>;
}

export interface NetnsDelta {
  readonly source: string;
  readonly interfaces: Readonly<Record<string, Reading<NetDevCounters>>>;
  /** Gauges such as `Tcp.CurrEstab` become their change; `Tcp.MaxConn` etc. become 0. */
  readonly snmp: Reading<SnmpTable>;
  readonly netstat: Reading<SnmpTable>;
}

export interface ProcessDelta {
  readonly pid: number;
  /** Whole-process utime/stime increase, USER_HZ ticks (includes threads that exited in the window). */
  readonly cpu: Reading<{ readonly utimeTicks: number; readonly stimeTicks: number }>;
  /** Summed over threads; threads that exited in the window are lost from this figure. */
  readonly contextSwitches: Reading<{ readonly voluntary: number; readonly nonvoluntary: number }>;
  /** Summed over threads, ns; threads that exited in the window are lost from this figure. */
  readonly schedstat: Reading<{ readonly runNs: number; readonly waitNs: number; readonly timeslices: number }>;
  readonly threadsAtEnd: number;
  readonly threadsStarted: number;
  readonly threadsExited: number;
}

/** Set by `subtractBaseline`: what was taken off the global sections, and their values before. */
export interface BaselineApplied {
  readonly windowSeconds: number;
  readonly ratesPerSecond: GlobalDelta;
  readonly raw: GlobalDelta;
}

export interface SnapshotDelta extends GlobalDelta {
  /** "full" only when both ends were full snapshots. */
  readonly kind: SnapshotKind;
  readonly windowMs: number;
  readonly fromEpochMs: number;
  readonly toEpochMs: number;
  readonly userHz: number;
  readonly server: NetnsDelta;
  readonly client: NetnsDelta | null;
  /** The bridge's namespace, when both snapshots read it. */
  readonly bridge?: NetnsDelta | null;
  readonly hostNetDev: Reading<Readonly<Record<string, NetDevCounters>>>;
  readonly processes: {
    readonly server: Reading<ProcessDelta>;
    readonly generator: Reading<ProcessDelta>;
  };
  /** Null until `subtractBaseline` is applied. */
  readonly baseline: BaselineApplied | null;
  /** ksoftirqd and napi threads' schedstat increases; absent from deltas made before this field existed. */
  readonly kernelThreads?: Reading<readonly KernelThreadDelta[]>;
}
