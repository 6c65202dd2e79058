/**
 * What the generator child reports for one scenario: the measured window's counts, latency summaries and
 * histograms, its own CPU, its pacing floor, and who limited the run. Pure: `buildGeneratorReport` turns a
 * `LoadOutcome`, CPU readings and the floor into the JSON the parent stores.
 */
import type { ErrorKind, TlsHandshakeCounts } from "../../contract/index.ts";
import { assessGenerator, ratePerSecond } from "./assess.ts";
import type { LimitedBy, SaturationKind } from "./assess.ts";
import type { LoadOutcome } from "./generator.ts";
import { encodeHistogram, summarize } from "./histogram.ts";
import type { LatencySummaryUs } from "./histogram.ts";
import { batchIntervalMs } from "./pacer.ts";
import type { PacingStrategy } from "./pacer.ts";
import type { PacingFloorUs } from "./pacing-floor.ts";

export interface GeneratorHealth {
  /** The generator process's CPU (user + sys) over the window, % of one core. */
  readonly cpuPct: number;
  readonly cpuUserUs: number;
  readonly cpuSysUs: number;
  readonly latenessP99Us: number;
  readonly latenessMaxUs: number;
  readonly inFlightPeak: number;
  readonly maxInFlight: number;
  /** The generator fell behind its schedule (lateness beyond the pacing floor and margin: bench/load/assess.ts). */
  readonly saturated: boolean;
  readonly saturationReasons: readonly string[];
  readonly saturationKinds: readonly SaturationKind[];
  // The fields below are absent from results written before the pacing floor; those judged `saturated` by a fixed
  // 2 ms lateness rule, and counted a short achieved rate as the generator's.
  /** What woke the load loop (`--pacing`). */
  readonly pacing?: PacingStrategy;
  /** The pacer's own lateness, idle at the scenario's rate, just before the load. */
  readonly pacingFloorUs?: PacingFloorUs;
  /** Who kept the run from carrying its offered load: the generator (late sends) or the server; null: nobody. */
  readonly limitedBy?: LimitedBy | null;
  readonly limitReasons?: readonly string[];
  /** Sends held up by stalls while the rate was carried (bench/load/assess.ts); absent when none, and before it was judged. */
  readonly stalls?: string;
}

export interface GeneratorReport {
  readonly offeredRps: number;
  readonly achievedRps: number;
  readonly requests: number;
  readonly completed: number;
  /** Verified answers that arrived inside the window: the numerator of achievedRps and the per-request denominator. */
  readonly completedInWindow: number;
  readonly durationMs: number;
  readonly errors: Record<ErrorKind, number>;
  readonly errorSamples: Partial<Record<ErrorKind, string>>;
  readonly latencyUs: LatencySummaryUs;
  readonly serviceLatencyUs: LatencySummaryUs;
  readonly latenessUs: LatencySummaryUs;
  /** HdrHistogram compressed base64 of the three histograms, for percentile curves in reports. */
  readonly histograms: { readonly latency: string; readonly serviceLatency: string; readonly lateness: string };
  readonly generator: GeneratorHealth;
  readonly window: { readonly startEpochMs: number; readonly endEpochMs: number };
  /**
   * The TLS handshakes the client's connections completed in the window, for a client that counts them
   * (BenchClient#onTlsHandshake, bench/load/handshake-window.ts); bench/run/scenario.ts moves them into the scenario's `tls`.
   */
  readonly tlsHandshakes?: TlsHandshakeCounts;
}

export interface CpuWindow {
  readonly userUs: number;
  readonly sysUs: number;
}

export function buildGeneratorReport(input: {
  readonly outcome: LoadOutcome;
  readonly offeredRps: number;
  readonly maxInFlight: number;
  readonly cpu: CpuWindow;
  /** performance.timeOrigin of the generator process, to turn its clock into epoch ms. */
  readonly timeOriginMs: number;
  /** The pacer and its idle floor, measured before the load. */
  readonly pacing: { readonly strategy: PacingStrategy; readonly floorUs: PacingFloorUs };
}): GeneratorReport {
  const { outcome } = input;
  const durationMs = outcome.windowEndMs - outcome.windowStartMs;
  const achievedRps = ratePerSecond(outcome.completedInWindow, durationMs);
  const lateness = summarize(outcome.lateness);
  const verdict = assessGenerator({
    offeredRps: input.offeredRps,
    achievedRps,
    latenessP99Us: lateness.p99,
    latenessP90Us: lateness.p90,
    floor: input.pacing.floorUs,
    refused: outcome.errors.refused,
    batchIntervalUs: batchIntervalMs(input.pacing.strategy) * 1000,
  });
  return {
    offeredRps: input.offeredRps,
    achievedRps: Math.round(achievedRps * 10) / 10,
    requests: outcome.requests,
    completed: outcome.completed,
    completedInWindow: outcome.completedInWindow,
    durationMs,
    errors: outcome.errors,
    errorSamples: outcome.errorSamples,
    latencyUs: summarize(outcome.latency),
    serviceLatencyUs: summarize(outcome.serviceLatency),
    latenessUs: lateness,
    histograms: {
      latency: encodeHistogram(outcome.latency),
      serviceLatency: encodeHistogram(outcome.serviceLatency),
      lateness: encodeHistogram(outcome.lateness),
    },
    generator: {
      cpuPct: durationMs > 0 ? Math.round(((input.cpu.userUs + input.cpu.sysUs) / (durationMs * 1000)) * 1000) / 10 : 0,
      cpuUserUs: input.cpu.userUs,
      cpuSysUs: input.cpu.sysUs,
      latenessP99Us: lateness.p99,
      latenessMaxUs: lateness.max,
      inFlightPeak: outcome.inFlightPeak,
      maxInFlight: input.maxInFlight,
      saturated: verdict.saturated,
      saturationReasons: verdict.reasons,
      saturationKinds: verdict.kinds,
      pacing: input.pacing.strategy,
      pacingFloorUs: input.pacing.floorUs,
      limitedBy: verdict.limitedBy,
      limitReasons: verdict.limitReasons,
      ...(verdict.stalls === null ? {} : { stalls: verdict.stalls }),
    },
    window: {
      startEpochMs: input.timeOriginMs + outcome.windowStartMs,
      endEpochMs: input.timeOriginMs + outcome.windowEndMs,
    },
  };
}
