/**
 * The kernel collector: `readSnapshot` (the only I/O, with `createProcReader` keeping fds open), pure parsers, a pure
 * `diffSnapshots`, baseline subtraction, the contamination guard, and the cost figures — one descriptor per figure
 * (figures-*.ts, joined in cost-figures.ts), from which `windowTotals`, `perRequest`, `CostFigures` and the CSV,
 * report and console views (figure-views.ts) are derived; `createSampler` for the time series; `findKernelThreads`
 * (one /proc scan, when a spec is built) for ksoftirqd and napi thread CPU.
 */
export { contaminationGuard, type ContaminationCheck } from "./contamination-guard.ts";
export {
  CLIENT_CPU,
  COST_FIGURES,
  type CostFigures,
  type CpuTimeUs,
  type CpuUs,
  type DerivedFigure,
  KERNEL_CPU,
  type KernelThreadsUs,
  NET_SOFTIRQS,
  SERVER_CPU,
} from "./cost-figures.ts";
export { delta32, delta64 } from "./counter-math.ts";
export type * from "./delta-types.ts";
export { diffSnapshots } from "./diff-snapshots.ts";
export type { CsvPresentation, FigureScope, FigureUnit } from "./figure-kinds.ts";
export { type CostOptions, figureInput, type FigureInput } from "./figure-input.ts";
export {
  ANY_KEY,
  type ConsolePresentation,
  CSV_FIGURES,
  type CsvFigure,
  FIGURE_VIEWS,
  figureLeaves,
  type FigureLeaf,
  type FigureMetricId,
  type FigureView,
  type MetricPresentation,
  numberAt,
} from "./figure-views.ts";
export { type DropCounts } from "./figures-drops.ts";
export {
  diffKernelThreads,
  findKernelThreads,
  type KernelThreadDelta,
  type KernelThreadKind,
  type KernelThreadRef,
  type KernelThreadSample,
  readKernelThreads,
  selectKernelThreads,
} from "./kernel-threads.ts";
export { readKernelInfo, readMsiIrqs, userHz, type KernelInfo } from "./kernel-info.ts";
export { parseInterrupts, selectInterruptLines, type InterruptLine, type InterruptSelector } from "./parse-interrupts.ts";
export { parseNetSnmp, type SnmpTable } from "./parse-net-snmp.ts";
export { parseProcNetDev, type NetDevCounters } from "./parse-proc-net-dev.ts";
export { parseProcPidStat, type PidStat } from "./parse-proc-pid-stat.ts";
export { parseProcPidStatus, type PidStatus } from "./parse-proc-pid-status.ts";
export { parseProcStat, type CpuTimes, type ProcStat } from "./parse-proc-stat.ts";
export { parseSchedstat, type Schedstat } from "./parse-schedstat.ts";
export { parseSoftirqs, type SoftirqTable } from "./parse-softirqs.ts";
export { parseSoftnetStat, type SoftnetRow } from "./parse-softnet-stat.ts";
export { parseSysClassNetStatistics } from "./parse-sys-class-net-statistics.ts";
export { computeFigures, perRequest, scaleFigures, windowTotals } from "./per-request.ts";
export { createProcReader, type ProcReader } from "./proc-reader.ts";
export { describeError, missing, ok, ProcParseError, type Reading } from "./reading.ts";
export { createSampler, type Sampler, type SamplerOptions, type SamplerOverhead } from "./sampler.ts";
export type * from "./snapshot-types.ts";
export { readSnapshot } from "./snapshot.ts";
export { baselineRates, subtractBaseline } from "./subtract-baseline.ts";
export { toTimeSeries, type CpuSplitPct, type TimeSeriesPoint } from "./time-series.ts";
