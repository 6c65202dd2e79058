import { performance } from "node:perf_hooks";
import { createProcReader } from "./proc-reader.ts";
import { readSnapshot } from "./snapshot.ts";
import type { Snapshot, SnapshotSpec } from "./snapshot-types.ts";
import { createBoundedSeries } from "./bounded-series.ts";
import { mergeTimeSeriesPoints, timeSeriesPoint, type TimeSeriesPoint } from "./time-series.ts";

export interface SamplerOptions {
  /** Samples per second (`--sample-hz`, default 10 in the CLI). */
  readonly hz: number;
  /** What to read; samples are always lean. */
  readonly spec: Omit<SnapshotSpec, "kind">;
  /** Called with each sample, on the timer; must not throw. */
  readonly onSample?: (sample: Snapshot) => void;
  /** Stops by itself after this long. Default 3 600 000 ms (1 h), so a forgotten sampler cannot run forever. */
  readonly maxDurationMs?: number;
  /** Called with each point of the series as it is made, at full resolution (the run writes them to timeseries.ndjson). */
  readonly onPoint?: (point: TimeSeriesPoint) => void;
  /** At most this many points are kept (bench/collector/bounded-series.ts). Default SERIES_CAP. */
  readonly maxPoints?: number;
}

/** The series a sampler kept: at most its cap of points, each `stride` sample intervals, of `recorded` made. */
export interface KeptSeries<P> {
  readonly points: P[];
  readonly recorded: number;
  readonly stride: number;
}

export interface SamplerOverhead {
  readonly samples: number;
  /** From the first sample to stop (or now). */
  readonly wallMs: number;
  /**
   * `process.cpuUsage()` from the first sample to stop: everything this process did meanwhile — the reads, the
   * timer wake-ups, GC. In a harness process that only waits while the generator (another process) runs, that is
   * the sampler's cost; if this process does other work meanwhile it is an upper bound.
   */
  readonly processCpuUs: number;
  /** processCpuUs over wall time: % of one core. */
  readonly overheadCpuPct: number;
  /**
   * Σ wall time of the reads alone. Synchronous /proc reads do not block, so this is their CPU time plus any
   * preemption; per-read CPU brackets are useless here (a thread's own runtime only advances at ticks).
   */
  readonly readWallUs: number;
  readonly readWallPct: number;
  readonly meanReadUs: number;
}

export interface Sampler {
  readonly state: "running" | "stopped";
  /** Samples taken so far. */
  readonly samples: number;
  /** Resolves once sampling has stopped, by `stop()` or at the max duration. */
  readonly stopped: Promise<void>;
  /** Stops the timer and closes the fds; idempotent. */
  stop(): void;
  timeSeries(): KeptSeries<TimeSeriesPoint>;
  overhead(): SamplerOverhead;
}

/**
 * Takes a lean sample now and then every 1/hz s and turns each into a point of the time series at once. It holds
 * the first and the latest sample and a bounded series, never every sample: its memory does not grow with time.
 */
export function createSampler(options: SamplerOptions): Sampler {
  if (!(options.hz > 0 && options.hz <= 1000)) throw new RangeError(`hz must be in (0, 1000], got ${options.hz}`);
  const maxDurationMs = options.maxDurationMs ?? 3_600_000;
  const spec: SnapshotSpec = { ...options.spec, kind: "lean" };
  const reader = createProcReader();
  const series = createBoundedSeries(mergeTimeSeriesPoints, options.maxPoints);
  let first: Snapshot | null = null;
  let latest: Snapshot | null = null;
  let samples = 0;
  let readUs = 0;
  let state: Sampler["state"] = "running";
  let stoppedAtMs: number | null = null;
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });

  const take = (): void => {
    const sample = readSnapshot(spec, reader);
    samples++;
    readUs += sample.readUs;
    if (first !== null && latest !== null) {
      const point = timeSeriesPoint(first, latest, sample);
      series.push(point);
      options.onPoint?.(point);
    }
    first ??= sample;
    latest = sample;
    options.onSample?.(sample);
  };

  const startCpu = process.cpuUsage();
  let usedCpu: NodeJS.CpuUsage | null = null;
  const startMs = performance.now();
  take();
  const timer = setInterval(() => {
    if (performance.now() - startMs >= maxDurationMs) {
      stop();
      return;
    }
    take();
  }, 1000 / options.hz);

  function stop(): void {
    if (state === "stopped") return;
    state = "stopped";
    stoppedAtMs = performance.now();
    usedCpu = process.cpuUsage(startCpu);
    clearInterval(timer);
    reader.close();
    resolveStopped();
  }

  return {
    get state() {
      return state;
    },
    get samples() {
      return samples;
    },
    stopped,
    stop,
    timeSeries: () => ({ points: series.points(), recorded: series.recorded, stride: series.stride }),
    overhead() {
      const wallMs = (stoppedAtMs ?? performance.now()) - startMs;
      const used = usedCpu ?? process.cpuUsage(startCpu);
      const processCpuUs = used.user + used.system;
      const pct = (us: number): number => (wallMs > 0 ? (us / (wallMs * 1000)) * 100 : 0);
      return {
        samples,
        wallMs,
        processCpuUs,
        overheadCpuPct: pct(processCpuUs),
        readWallUs: readUs,
        readWallPct: pct(readUs),
        meanReadUs: samples > 0 ? readUs / samples : 0,
      };
    },
  };
}
