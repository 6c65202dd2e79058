import type { GlobalDelta, InterruptDelta, ProcStatDelta, SnapshotDelta, SoftnetDelta } from "./delta-types.ts";
import { fieldRecord } from "./field-record.ts";
import { CPU_TIMES_ALWAYS, CPU_TIMES_LATER, type CpuTimes } from "./parse-proc-stat.ts";
import { SOFTNET_COUNTERS_ALWAYS, SOFTNET_COUNTERS_LATER } from "./parse-softnet-stat.ts";
import type { SoftirqTable } from "./parse-softirqs.ts";
import type { PerCpu } from "./per-cpu.ts";
import { combineReadings, mapReading } from "./reading.ts";

/** Time that is not work: an idle baseline's idle is never subtracted from a loaded window's idle. */
const LABELS = ["idle baseline", "window"] as const;

const NOT_WORK: ReadonlySet<string> = new Set(["idleTicks", "iowaitTicks"]);

/**
 * An idle baseline's global counters as rates per second: measured before load over `delta.windowMs`.
 * Only the global sections (softirqs, interrupts, softnet, /proc/stat) — the per-namespace and per-process ones
 * belong to the run alone.
 */
export function baselineRates(delta: GlobalDelta & { readonly windowMs: number }): GlobalDelta {
  if (!(delta.windowMs > 0)) throw new Error(`baseline window must be positive, got ${delta.windowMs} ms`);
  const perSecond = 1000 / delta.windowMs;
  return mapGlobal(delta, (value) => value * perSecond);
}

/**
 * Takes `ratesPerSecond × windowSeconds` off every global counter of a window, per CPU and per field, clamped at 0.
 * The raw values are kept in `baseline.raw`. Idle and iowait are left as measured; gauges (softnet queue lengths)
 * untouched. A section whose baseline is missing becomes missing (the raw value stays in `baseline.raw`).
 */
export function subtractBaseline(
  delta: SnapshotDelta,
  ratesPerSecond: GlobalDelta,
  windowSeconds: number,
): SnapshotDelta {
  const raw: GlobalDelta = pickGlobal(delta.baseline?.raw ?? delta);
  const minus = (value: number, rate: number): number => Math.max(0, value - rate * windowSeconds);
  return {
    ...delta,
    softirqs: combineReadings(ratesPerSecond.softirqs, raw.softirqs, (rates, values) =>
      zipSoftirqs(values, rates, minus), LABELS,
    ),
    interrupts: combineReadings(ratesPerSecond.interrupts, raw.interrupts, (rates, values) =>
      zipInterrupts(values, rates, minus), LABELS,
    ),
    softnet: combineReadings(ratesPerSecond.softnet, raw.softnet, (rates, values) => zipSoftnet(values, rates, minus), LABELS),
    stat: combineReadings(ratesPerSecond.stat, raw.stat, (rates, values) => zipStat(values, rates, minus, true), LABELS),
    baseline: { windowSeconds, ratesPerSecond, raw },
  };
}

type Op = (value: number, other: number) => number;

function pickGlobal(delta: GlobalDelta): GlobalDelta {
  return { softirqs: delta.softirqs, interrupts: delta.interrupts, softnet: delta.softnet, stat: delta.stat };
}

function mapGlobal(delta: GlobalDelta, fn: (value: number) => number): GlobalDelta {
  const op: Op = (value) => fn(value);
  return {
    softirqs: mapReading(delta.softirqs, (values) => zipSoftirqs(values, values, op)),
    interrupts: mapReading(delta.interrupts, (values) => zipInterrupts(values, values, op)),
    softnet: mapReading(delta.softnet, (values) => zipSoftnet(values, values, op)),
    stat: mapReading(delta.stat, (values) => zipStat(values, values, op, false)),
  };
}

function zipPerCpu(values: PerCpu, others: PerCpu | undefined | null, op: Op): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [cpu, value] of Object.entries(values)) out[cpu] = op(value, others?.[cpu] ?? 0);
  return out;
}

function zipSoftirqs(values: SoftirqTable, others: SoftirqTable, op: Op): SoftirqTable {
  const out: Record<string, PerCpu> = {};
  for (const [type, perCpu] of Object.entries(values)) out[type] = zipPerCpu(perCpu, others[type], op);
  return out;
}

function zipInterrupts(values: readonly InterruptDelta[], others: readonly InterruptDelta[], op: Op): InterruptDelta[] {
  const byId = new Map(others.map((line) => [line.id, line]));
  return values.map((line) => {
    const other = byId.get(line.id);
    if (line.perCpu === null) return { ...line, total: op(line.total, other?.total ?? 0) };
    const perCpu = zipPerCpu(line.perCpu, other?.perCpu, op);
    return { ...line, perCpu, total: Object.values(perCpu).reduce((sum, n) => sum + n, 0) };
  });
}

function zipSoftnet(
  values: Readonly<Record<string, SoftnetDelta>>,
  others: Readonly<Record<string, SoftnetDelta>>,
  op: Op,
): Record<string, SoftnetDelta> {
  const out: Record<string, SoftnetDelta> = {};
  for (const [cpu, row] of Object.entries(values)) {
    const other = others[cpu];
    // The gauges stay as they are; the counters keep their places in the row.
    out[cpu] = {
      ...row,
      ...fieldRecord(SOFTNET_COUNTERS_ALWAYS, (field) => op(row[field], other?.[field] ?? 0)),
      ...fieldRecord(SOFTNET_COUNTERS_LATER, (field) => {
        const value = row[field];
        return value === null ? null : op(value, other?.[field] ?? 0);
      }),
    };
  }
  return out;
}

function zipCpuTimes(values: CpuTimes, others: CpuTimes | undefined, op: Op, keepIdle: boolean): CpuTimes {
  const zip = (field: keyof CpuTimes, value: number): number =>
    keepIdle && NOT_WORK.has(field) ? value : op(value, others?.[field] ?? 0);
  return {
    ...fieldRecord(CPU_TIMES_ALWAYS, (field) => zip(field, values[field])),
    ...fieldRecord(CPU_TIMES_LATER, (field) => {
      const value = values[field];
      return value === null ? null : zip(field, value);
    }),
  };
}

function zipStat(values: ProcStatDelta, others: ProcStatDelta, op: Op, keepIdle: boolean): ProcStatDelta {
  const cpus: Record<string, CpuTimes> = {};
  for (const [cpu, times] of Object.entries(values.cpus)) cpus[cpu] = zipCpuTimes(times, others.cpus[cpu], op, keepIdle);
  const scalar = (value: number | null, other: number | null): number | null =>
    value === null ? null : op(value, other ?? 0);
  return {
    total: zipCpuTimes(values.total, others.total, op, keepIdle),
    cpus,
    ctxt: scalar(values.ctxt, others.ctxt),
    intrTotal: scalar(values.intrTotal, others.intrTotal),
    softirqTotal: scalar(values.softirqTotal, others.softirqTotal),
    processes: scalar(values.processes, others.processes),
  };
}

