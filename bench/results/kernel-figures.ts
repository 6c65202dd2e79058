/**
 * The kernel figures a completed scenario carries in result.json (`perRequest`, `totals`, `baseline`, …), made by
 * bench/run/measure.ts from the collector's snapshots and read by report, compare and plan.
 */
import type { ContaminationCheck, CostFigures, TimeSeriesPoint } from "../collector/index.ts";
import type { KernelTimeReport } from "../collector/ebpf/kernel-time-report.ts";
import type { SeriesMerge } from "../collector/bounded-series.ts";

/** --verify's outcome: an independent count of the window's packets at the server interface. */
export interface Verification {
  readonly tool: "tcpdump";
  readonly interface: string;
  readonly capturedInWindow: number;
  readonly collectorPackets: number | null;
  /** (captured − collector) / collector × 100. */
  readonly differencePct: number | null;
  /** |difference| ≤ 0.1%. */
  readonly agrees: boolean | null;
  readonly droppedByKernel: number | null;
  readonly capturedTotal: number;
  readonly note: string;
}

/** What a completed scenario gains from the collector. */
export interface KernelFigures {
  readonly perRequest: CostFigures;
  readonly totals: CostFigures;
  /** The idle baseline subtracted from the global counters. */
  readonly baseline: {
    readonly windowMs: number;
    readonly subtracted: readonly string[];
    readonly note: string;
  };
  readonly contamination: ContaminationCheck;
  readonly softnet: CostFigures["softnet"];
  readonly timeSeries: readonly TimeSeriesPoint[];
  readonly cpus: { readonly server: number | null; readonly client: number | null; readonly accounted: readonly number[] };
  readonly collector: {
    readonly sampleHz: number;
    readonly samples: number;
    /** The harness process's CPU while sampling, % of one core: the collector's own overhead. */
    readonly overheadCpuPct: number;
    readonly meanSampleReadUs: number;
    readonly edgeSnapshotReadUs: readonly number[];
    /** The collector's window (snapshot to snapshot) and how far it is from the generator's nominal window. */
    readonly windowMs: number;
    readonly windowSkewMs: { readonly start: number; readonly end: number };
    /** Completed requests in the generator's window: the per-request denominator. */
    readonly requests: number;
    /** Present when the time series was longer than result.json keeps and its points were merged. */
    readonly timeSeriesMerged?: SeriesMerge;
  };
  readonly verify?: Verification;
  /**
   * How kernel time was measured (`ebpf`: exactly, with its tracer's figures; `tick`: /proc/stat's samples, with why).
   * Absent in results written before it existed: those are tick.
   */
  readonly kernelTime?: KernelTimeReport;
}

