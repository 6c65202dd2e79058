/**
 * What a scenario records of its exact kernel time beside the figures (`kernelTime` in result.json): how it was
 * measured, where the softirq time ran, each hard interrupt line, how the eBPF on-CPU time of the server and the
 * generator compares with their schedstat run time (an independent clock of the same thing), and a time series.
 * Pure.
 */
import { weightedMean } from "../bounded-series.ts";
import type { SeriesMerge } from "../bounded-series.ts";
import type { KernelTimeEpoch } from "./bpftrace-output.ts";
import { SYSTEM_VECTORS } from "./bpftrace-output.ts";
import type { Attribution, TaskRole } from "./attribution.ts";
import type { KernelTimeWindow } from "./kernel-time-window.ts";

export type KernelTimeMethod = "ebpf" | "tick";

/**
 * How far, in %, a process's eBPF on-CPU time may differ from its schedstat run time before the run notes it. The two
 * clocks agree within ~0.5% on a CPU that never goes idle, but schedstat counts a task woken from idle from its
 * wake-up (the scheduler skips the clock update when a woken task preempts the idle task), so eBPF's time is 4–9%
 * lower whenever the CPU idles between requests (docs/kernel-notes.md § "Exact kernel time with eBPF"). Only a
 * difference beyond that is worth a note.
 */
export const RUN_TIME_DIFF_NOTE_PCT = 15;

export interface KernelTimePoint {
  /** End of the interval, ms after the first mark of the series. */
  readonly tMs: number;
  readonly intervalMs: number;
  /** Softirq and hard interrupt time per CPU, % of the interval. */
  readonly perCpu: Readonly<Record<string, { readonly softirqPct: number; readonly hardIrqPct: number }>>;
}

export interface KernelTimeDetail {
  readonly method: "ebpf";
  /** Probes bpftrace attached, events the kernel dropped before bpftrace read them, marks made in the scenario. */
  readonly tracer: { readonly probes: number; readonly lostEvents: number; readonly marks: number };
  /** The eBPF window (mark to mark) and how far its edges were from the generator's nominal window, ms. */
  readonly windowMs: number;
  readonly windowSkewMs: { readonly start: number; readonly end: number };
  /** The window's edge marks on CLOCK_MONOTONIC (bpftrace's nsecs), ns: where another tracer can find the same window. */
  readonly marksNs: { readonly from: number; readonly to: number };
  /** Events the probes handled in the window: their count is what the probes cost. */
  readonly events: { readonly softirqs: number; readonly hardIrqs: number; readonly switches: number; readonly syscalls: number };
  /** Softirq µs per CPU, vector and the role of the task it ran on (idle, server, ksoftirqd, …). */
  readonly softirqByContextUs: Readonly<Record<string, Readonly<Record<string, Readonly<Partial<Record<TaskRole, number>>>>>>>;
  /** Hard interrupt µs and count per CPU and line (an IRQ number, or LOC, CAL, RES … for the system vectors). */
  readonly hardIrqByLine: Readonly<Record<string, Readonly<Record<string, { readonly us: number; readonly count: number }>>>>;
  /** (eBPF on-CPU time − schedstat run time) ÷ schedstat, %, for the server and the generator: two clocks of one thing. */
  readonly checks: { readonly serverRunDiffPct: number | null; readonly generatorRunDiffPct: number | null };
  readonly timeSeries: readonly KernelTimePoint[];
  /** Present when the series was longer than result.json keeps and its points were merged. */
  readonly timeSeriesMerged?: SeriesMerge;
}

export interface KernelTimeFallback {
  readonly method: "tick";
  /** Why eBPF did not measure this scenario, and what would make it. */
  readonly reason: string;
  readonly fix: string;
}

export type KernelTimeReport = KernelTimeDetail | KernelTimeFallback;

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** One point per epoch: each CPU's softirq and hard interrupt share of the epoch. */
export function kernelTimePoint(epoch: KernelTimeEpoch, previousMarkNs: number, firstMarkNs: number, cpus: readonly number[]): KernelTimePoint {
  const intervalNs = epoch.markNs - previousMarkNs;
  const perCpu: Record<string, { softirqPct: number; hardIrqPct: number }> = {};
  for (const cpu of cpus) {
    const soft = epoch.softirqs.filter((r) => r.cpu === cpu).reduce((sum, r) => sum + r.ns, 0);
    const hard = epoch.hardirqs.filter((r) => r.cpu === cpu).reduce((sum, r) => sum + r.ns, 0);
    perCpu[String(cpu)] = intervalNs > 0 ? { softirqPct: round((100 * soft) / intervalNs, 3), hardIrqPct: round((100 * hard) / intervalNs, 3) } : { softirqPct: 0, hardIrqPct: 0 };
  }
  return { tMs: round((epoch.markNs - firstMarkNs) / 1e6, 3), intervalMs: round(intervalNs / 1e6, 3), perCpu };
}

/** Two consecutive points as one covering both (bench/collector/bounded-series.ts): shares weighted by interval. */
export function mergeKernelTimePoints(a: KernelTimePoint, b: KernelTimePoint): KernelTimePoint {
  const perCpu: Record<string, { softirqPct: number; hardIrqPct: number }> = {};
  for (const [cpu, x] of Object.entries(a.perCpu)) {
    const y = b.perCpu[cpu];
    if (y === undefined) continue;
    const mix = (p: number, q: number): number => round(weightedMean(p, a.intervalMs, q, b.intervalMs) ?? 0, 3);
    perCpu[cpu] = { softirqPct: mix(x.softirqPct, y.softirqPct), hardIrqPct: mix(x.hardIrqPct, y.hardIrqPct) };
  }
  return { tMs: b.tMs, intervalMs: round(a.intervalMs + b.intervalMs, 3), perCpu };
}

export function kernelTimeDetail(input: {
  readonly window: KernelTimeWindow;
  readonly attribution: Attribution;
  readonly cpus: readonly number[];
  readonly serverPids: ReadonlySet<number>;
  readonly generatorPids: ReadonlySet<number>;
  /** schedstat run time of the server and the generator over the /proc window, µs (null when unread). */
  readonly schedstatRunUs: { readonly server: number | null; readonly generator: number | null };
  readonly tracer: KernelTimeDetail["tracer"];
  readonly windowSkewMs: KernelTimeDetail["windowSkewMs"];
  readonly timeSeries: readonly KernelTimePoint[];
  readonly timeSeriesMerged?: SeriesMerge;
}): KernelTimeDetail {
  const { window } = input;
  const hardIrqByLine: Record<string, Record<string, { us: number; count: number }>> = {};
  for (const h of window.hardirqs) {
    const line = SYSTEM_VECTORS[String(h.line)] ?? String(h.line);
    const byLine = (hardIrqByLine[String(h.cpu)] ??= {});
    const had = byLine[line] ?? { us: 0, count: 0 };
    byLine[line] = { us: round(had.us + h.ns / 1000, 3), count: had.count + h.count };
  }
  const softirqByContextUs: Record<string, Record<string, Partial<Record<TaskRole, number>>>> = {};
  for (const [cpu, vectors] of Object.entries(input.attribution.softirqByContext)) {
    const out: Record<string, Partial<Record<TaskRole, number>>> = {};
    for (const [vec, roles] of Object.entries(vectors)) {
      out[vec] = Object.fromEntries(Object.entries(roles).map(([role, ns]) => [role, round((ns ?? 0) / 1000, 3)]));
    }
    softirqByContextUs[cpu] = out;
  }
  const runNs = (pids: ReadonlySet<number>): number => window.tasks.filter((t) => pids.has(t.pid)).reduce((sum, t) => sum + t.ns, 0);
  const diffPct = (ebpfNs: number, schedstatUs: number | null): number | null =>
    schedstatUs === null || !(schedstatUs > 0) ? null : round(((ebpfNs / 1000 - schedstatUs) / schedstatUs) * 100, 3);
  const sum = <T>(rows: readonly T[], of: (r: T) => number): number => rows.reduce((s, r) => s + of(r), 0);
  return {
    method: "ebpf",
    tracer: input.tracer,
    windowMs: round(window.windowNs / 1e6, 3),
    windowSkewMs: input.windowSkewMs,
    marksNs: { from: window.fromMarkNs, to: window.toMarkNs },
    events: {
      softirqs: sum(window.softirqs, (r) => r.runs),
      hardIrqs: sum(window.hardirqs, (r) => r.count),
      switches: sum(Object.values(window.switches), (n) => n),
      syscalls: sum(window.syscalls, (r) => r.count),
    },
    softirqByContextUs,
    hardIrqByLine,
    checks: {
      serverRunDiffPct: diffPct(runNs(input.serverPids), input.schedstatRunUs.server),
      generatorRunDiffPct: diffPct(runNs(input.generatorPids), input.schedstatRunUs.generator),
    },
    timeSeries: input.timeSeries,
    ...(input.timeSeriesMerged === undefined ? {} : { timeSeriesMerged: input.timeSeriesMerged }),
  };
}
