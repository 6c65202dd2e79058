import type { SnapshotDelta } from "../../bench/collector/delta-types.ts";
import type { NetDevCounters } from "../../bench/collector/parse-proc-net-dev.ts";
import type { CpuTimes } from "../../bench/collector/parse-proc-stat.ts";
import { missing, ok } from "../../bench/collector/reading.ts";
import type { NetnsSnapshot, Snapshot } from "../../bench/collector/snapshot-types.ts";

/** Test data builders: every section defaults to "missing" so a test states exactly what it provides. */

export const NOT_SET = "not set in this test";

export function netDev(partial: Partial<NetDevCounters>): NetDevCounters {
  return {
    rxBytes: 0,
    rxPackets: 0,
    rxErrs: 0,
    rxDrop: 0,
    rxFifo: 0,
    rxFrame: 0,
    rxCompressed: 0,
    rxMulticast: 0,
    txBytes: 0,
    txPackets: 0,
    txErrs: 0,
    txDrop: 0,
    txFifo: 0,
    txColls: 0,
    txCarrier: 0,
    txCompressed: 0,
    ...partial,
  };
}

export function cpuTimes(partial: Partial<CpuTimes>): CpuTimes {
  return {
    userTicks: 0,
    niceTicks: 0,
    systemTicks: 0,
    idleTicks: 0,
    iowaitTicks: 0,
    irqTicks: 0,
    softirqTicks: 0,
    stealTicks: 0,
    guestTicks: 0,
    guestNiceTicks: 0,
    ...partial,
  };
}

export function netns(partial: Partial<NetnsSnapshot> = {}): NetnsSnapshot {
  return { source: "/proc/42/net", interfaces: {}, snmp: missing(NOT_SET), netstat: missing(NOT_SET), ...partial };
}

export function makeSnapshot(partial: Partial<Snapshot> & { readonly tMs: number }): Snapshot {
  return {
    kind: "full",
    epochMs: 1_800_000_000_000 + partial.tMs,
    readUs: 0,
    userHz: 100,
    server: netns(),
    client: null,
    hostNetDev: missing(NOT_SET),
    softirqs: missing(NOT_SET),
    interrupts: missing(NOT_SET),
    softnet: missing(NOT_SET),
    stat: missing(NOT_SET),
    processes: { server: missing(NOT_SET), generator: missing(NOT_SET) },
    ...partial,
  };
}

export function makeDelta(partial: Partial<SnapshotDelta> = {}): SnapshotDelta {
  const emptyNetns = { source: "/proc/42/net", interfaces: {}, snmp: missing(NOT_SET), netstat: missing(NOT_SET) };
  return {
    kind: "full",
    windowMs: 5000,
    fromEpochMs: 1_800_000_000_000,
    toEpochMs: 1_800_000_005_000,
    userHz: 100,
    server: emptyNetns,
    client: null,
    hostNetDev: missing(NOT_SET),
    softirqs: missing(NOT_SET),
    interrupts: missing(NOT_SET),
    softnet: missing(NOT_SET),
    stat: missing(NOT_SET),
    processes: { server: missing(NOT_SET), generator: missing(NOT_SET) },
    baseline: null,
    ...partial,
  };
}

export { missing, ok };
