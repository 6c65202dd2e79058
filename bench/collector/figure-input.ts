/**
 * What a figure descriptor computes from: the window's counters, and the readers the /proc descriptors share. Each
 * reader throws an Error naming what it could not read; the descriptor's figure then becomes null with that reason.
 *
 * The /proc delta is one source among what may come: issue 15's eBPF figures (bpftrace maps, diffed the same way)
 * add their delta here as another field beside `proc`, and their descriptors read it the way these read `proc` — a
 * per-CPU CPU attribution is a `breakdown` of a group of `part`s, its method a `fact`, its residual a `ratio`.
 */
import type { NetnsDelta, ProcessDelta, ProcStatDelta, SnapshotDelta } from "./delta-types.ts";
import { figureKinds } from "./figure-groups.ts";
import type { InterruptSelector } from "./parse-interrupts.ts";
import type { SnmpTable } from "./parse-net-snmp.ts";
import type { CpuTimes } from "./parse-proc-stat.ts";
import { sumPerCpu } from "./per-cpu.ts";
import { need, printed, type Reading } from "./reading.ts";
import type { Attribution } from "./ebpf/attribution.ts";

export interface CostOptions {
  /** CPUs for `cpuUs.softirq/irq/total/steal`. Default: every CPU in /proc/stat. */
  readonly cpus?: readonly number[];
  /** Default "server-passive": accepted connections in the server namespace. */
  readonly connectionOpensFrom?: "server-passive" | "client-active";
  /** A real NIC's interrupt lines, reported as `hardIrqs.nic` (veth has none). */
  readonly nic?: InterruptSelector;
  /** The CPUs the server and the generator are pinned to (null: not pinned), for the tick attribution. */
  readonly serverCpu?: number | null;
  readonly clientCpu?: number | null;
}

/** What the eBPF collector hands the figures (bench/collector/ebpf/): the window's exact attribution. */
export interface KernelTimeFigureInput {
  readonly attribution: Attribution;
}

export interface FigureInput {
  /** The /proc counters' increase over the window, with the idle baseline taken off the global sections. */
  readonly proc: SnapshotDelta;
  readonly options: CostOptions;
  /** The CPUs the /proc/stat sums cover: `options.cpus`, or every CPU /proc/stat lists. */
  readonly cpus: readonly number[];
  /** /proc/stat and /proc/<pid>/stat count USER_HZ ticks. */
  readonly usPerTick: number;
  /** The eBPF collector's exact kernel time over the same window; null when it did not run (the tick method). */
  readonly kernelTime: KernelTimeFigureInput | null;
}

export function figureInput(proc: SnapshotDelta, options: CostOptions, kernelTime: KernelTimeFigureInput | null = null): FigureInput {
  const cpus = options.cpus ?? (proc.stat.ok ? Object.keys(proc.stat.value.cpus).map(Number) : []);
  return { proc, options, cpus, usPerTick: 1e6 / proc.userHz, kernelTime };
}

/** The node constructors for descriptors computed from a `FigureInput`. */
export const fromWindow = figureKinds<FigureInput>();

export function stat(x: FigureInput): ProcStatDelta {
  return need(x.proc.stat, "/proc/stat");
}

/**
 * `ticks` summed over the CPUs `x.cpus` names, in that order, then µs. /proc/stat is read per CPU, so an empty CPU
 * list sums to 0 even when /proc/stat is missing — as result.json has always had it (`cpus` is then [] too).
 */
export function overCpus(x: FigureInput, ticks: (t: CpuTimes) => number): number {
  const times = (cpu: number): CpuTimes => {
    const found = stat(x).cpus[String(cpu)];
    if (found === undefined) throw new Error(`/proc/stat has no cpu${cpu}`);
    return found;
  };
  return x.cpus.reduce((sum, cpu) => sum + ticks(times(cpu)), 0) * x.usPerTick;
}

/** user + nice + system + irq + softirq: steal and idle are not work done here. */
export function busyTicks(t: CpuTimes): number {
  return (
    t.userTicks + t.niceTicks + t.systemTicks + printed(t.irqTicks, "/proc/stat irq") +
    printed(t.softirqTicks, "/proc/stat softirq")
  );
}

export function snmpField(table: Reading<SnmpTable>, section: string, field: string, source: string): number {
  const value = need(table, `${source}/snmp`)[section]?.[field];
  if (value === undefined) throw new Error(`${source}/snmp has no ${section}: ${field}`);
  return value;
}

export function tcp(from: NetnsDelta, field: string): number {
  return snmpField(from.snmp, "Tcp", field, from.source);
}

/** Server interface packets or bytes, rx + tx — rx only on `lo`, which counts each packet both ways. */
export function serverInterfaces(x: FigureInput, counter: "Packets" | "Bytes"): number {
  const server = x.proc.server;
  return Object.entries(server.interfaces).reduce((sum, [name, reading]) => {
    const c = need(reading, `${server.source}/dev ${name}`);
    return sum + c[`rx${counter}`] + (name === "lo" ? 0 : c[`tx${counter}`]);
  }, 0);
}

export function oneWay(x: FigureInput, way: "rx" | "tx", counter: "Packets" | "Bytes"): number {
  const server = x.proc.server;
  return Object.entries(server.interfaces).reduce((sum, [name, reading]) => {
    if (name === "lo" && way === "tx") throw new Error("loopback counts every packet as rx and tx: there is no separate direction");
    return sum + need(reading, `${server.source}/dev ${name}`)[`${way}${counter}`];
  }, 0);
}

export function processOf(x: FigureInput, which: "server" | "generator"): ProcessDelta {
  return need(x.proc.processes[which], `${which} process`);
}

export function processTicksUs(x: FigureInput, which: "server" | "generator", field: "utimeTicks" | "stimeTicks"): number {
  return need(processOf(x, which).cpu, `${which} /proc/<pid>/stat`)[field] * x.usPerTick;
}

/** Σ threads' schedstat run time, ns → µs. */
export function processRunUs(x: FigureInput, which: "server" | "generator"): number {
  return need(processOf(x, which).schedstat, `${which} schedstat`).runNs / 1000;
}

export function switches(p: ProcessDelta): number {
  const c = need(p.contextSwitches, "context switches");
  return c.voluntary + c.nonvoluntary;
}

/** One /proc/softirqs row summed over every CPU. */
export function softirqRuns(x: FigureInput, type: string): number {
  const counts = need(x.proc.softirqs, "/proc/softirqs")[type];
  if (counts === undefined) throw new Error(`/proc/softirqs has no ${type}`);
  return sumPerCpu(counts);
}

export function softnetSum(x: FigureInput, field: "processed" | "dropped" | "timeSqueeze" | "receivedRps" | "flowLimitCount"): number {
  return Object.values(need(x.proc.softnet, "softnet_stat")).reduce(
    (sum, row) => sum + printed(row[field], `softnet_stat ${field}`),
    0,
  );
}
