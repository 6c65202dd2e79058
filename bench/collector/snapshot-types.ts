import type { KernelThreadRef, KernelThreadSample } from "./kernel-threads.ts";
import type { InterruptLine } from "./parse-interrupts.ts";
import type { SnmpTable } from "./parse-net-snmp.ts";
import type { PidStat } from "./parse-proc-pid-stat.ts";
import type { PidStatus } from "./parse-proc-pid-status.ts";
import type { NetDevCounters } from "./parse-proc-net-dev.ts";
import type { ProcStat } from "./parse-proc-stat.ts";
import type { Schedstat } from "./parse-schedstat.ts";
import type { SoftirqTable } from "./parse-softirqs.ts";
import type { SoftnetRow } from "./parse-softnet-stat.ts";
import type { Reading } from "./reading.ts";

/**
 * `full`: everything, for the edges of the measured window (~2–3 ms with the task walks).
 * `lean`: net/dev of the server namespace, /proc/softirqs, /proc/stat and softnet_stat only, for the time series.
 */
export type SnapshotKind = "full" | "lean";

export interface NetnsSpec {
  /** A pid inside the namespace, read through `/proc/<pid>/net/*`; null reads this process's own namespace. */
  readonly pid: number | null;
  /** Interfaces to pick out of net/dev, e.g. ["eth0"] (["lo"] for the loopback topology). */
  readonly interfaces: readonly string[];
}

export interface SnapshotSpec {
  readonly kind: SnapshotKind;
  /** The server process (its threads are walked for context switches and schedstat). Null: not measured. */
  readonly serverPid: number | null;
  /** The load generator process. Null: not measured. */
  readonly generatorPid: number | null;
  /** The server's network namespace: `{ pid: null, interfaces: ["lo"] }` for the loopback topology. */
  readonly serverNetns: NetnsSpec;
  /** Full snapshots: the client namespace too (ActiveOpens, the contamination guard's other veth end). */
  readonly clientNetns?: NetnsSpec | null;
  /**
   * Full snapshots: the namespace holding the bridge (bridge and docker topologies: `topology.bridgeAnchorPid()`,
   * interfaces ["veth-srv", "veth-cli"]). Its ports receive every packet once more, so the contamination guard
   * needs them; docker's forwarding and NAT show in its snmp. Absent or null: none.
   */
  readonly bridgeNetns?: NetnsSpec | null;
  /** Full snapshots: host-namespace net/dev via `/proc/1/net/dev`, to record other traffic. Default true. */
  readonly hostNetDev?: boolean;
  /**
   * Full snapshots: ksoftirqd and napi kernel threads whose schedstat to read — `findKernelThreads()` once, when
   * the spec is built. Absent: not measured.
   */
  readonly kernelThreads?: readonly KernelThreadRef[];
}

export interface NetnsSnapshot {
  /** Where it was read, e.g. "/proc/1234/net". */
  readonly source: string;
  /** Each requested interface; one missing from net/dev is a missing reading. */
  readonly interfaces: Readonly<Record<string, Reading<NetDevCounters>>>;
  readonly snmp: Reading<SnmpTable>;
  readonly netstat: Reading<SnmpTable>;
}

/** One thread's counters; a thread that exits mid-walk is left out (its counts are lost either way). */
export interface TaskSample {
  readonly status: Reading<PidStatus>;
  readonly schedstat: Reading<Schedstat>;
}

export interface ProcessSnapshot {
  readonly pid: number;
  /** The process and its descendants (process-tree.ts), `pid` first: whose threads `tasks` holds. */
  readonly pids: readonly number[];
  /** Whole-process utime/stime (including exited threads), start time. */
  readonly stat: Reading<PidStat>;
  /** The main thread's status: Cpus_allowed_list, VmRSS, Threads. */
  readonly status: Reading<PidStatus>;
  /** Every thread of every process in `pids`, by tid. */
  readonly tasks: Reading<Readonly<Record<string, TaskSample>>>;
}

export interface Snapshot {
  readonly kind: SnapshotKind;
  /** `performance.now()` when reading started, ms. */
  readonly tMs: number;
  /** `Date.now()` when reading started. */
  readonly epochMs: number;
  /** How long this snapshot took to read, µs. */
  readonly readUs: number;
  /** USER_HZ, the tick rate of /proc/stat and /proc/<pid>/stat. */
  readonly userHz: number;
  readonly server: NetnsSnapshot;
  readonly client: NetnsSnapshot | null;
  /** `SnapshotSpec.bridgeNetns`, in full snapshots; absent or null otherwise. */
  readonly bridge?: NetnsSnapshot | null;
  /** All interfaces of the host namespace (`/proc/1/net/dev`). */
  readonly hostNetDev: Reading<Readonly<Record<string, NetDevCounters>>>;
  readonly softirqs: Reading<SoftirqTable>;
  readonly interrupts: Reading<readonly InterruptLine[]>;
  readonly softnet: Reading<readonly SoftnetRow[]>;
  readonly stat: Reading<ProcStat>;
  readonly processes: {
    readonly server: Reading<ProcessSnapshot>;
    readonly generator: Reading<ProcessSnapshot>;
  };
  /** The spec's kernel threads (full snapshots only); absent in snapshots made before this field existed. */
  readonly kernelThreads?: Reading<readonly KernelThreadSample[]>;
}
