/**
 * One scenario result from several client hosts, each of which ran the open-loop generator for a share of the
 * offered rate over the same schedule-aligned window (the driver merges its workers' histograms, as gRPC's benchmark
 * driver does: src/proto/grpc/testing/worker_service.proto). Percentiles come only from the exact sum of the hosts'
 * HDR histograms, never from averaging the hosts' percentiles; counters add. Pure: the reports arrive as data.
 */
import { ERROR_KINDS } from "../../contract/index.ts";
import type { ErrorKind, TlsHandshakeCounts } from "../../contract/index.ts";
import type { LimitedBy } from "../load/assess.ts";
import { createHistogram, decodeHistogram, encodeHistogram, summarize } from "../load/histogram.ts";
import type { Histogram } from "../load/histogram.ts";
import type { GeneratorHealth, GeneratorReport } from "../load/report.ts";

/** One host's part of a merged scenario, as its own generator reported and judged it. */
export interface HostShare {
  readonly host: string;
  readonly offeredRps: number;
  readonly achievedRps: number;
  readonly completedInWindow: number;
  readonly window: GeneratorReport["window"];
  readonly generator: GeneratorHealth;
}

export interface MergedGeneratorReport extends GeneratorReport {
  /** The latest host window start minus the earliest: how closely the driver aligned the hosts' windows. */
  readonly windowSkewMs: number;
  /** Each host's own figures and health, in the order given: the merged health says the worst, this says who. */
  readonly perHost: readonly HostShare[];
}

/**
 * The sum of HdrHistogram compressed-base64 histograms. HDR addition adds bucket counts, so the result equals one
 * histogram that recorded every host's values (to the 3 significant digits each bucket keeps).
 */
export function mergeEncodedHistograms(encoded: readonly string[]): Histogram {
  const merged = createHistogram();
  for (const one of encoded) merged.add(decodeHistogram(one));
  return merged;
}

export function mergeGeneratorReports(reports: readonly { readonly host: string; readonly report: GeneratorReport }[]): MergedGeneratorReport {
  if (reports.length === 0) throw new Error("mergeGeneratorReports: no host reports to merge (a scenario needs at least one client host)");
  const seen = new Set<string>();
  for (const { host } of reports) {
    if (seen.has(host)) throw new Error(`mergeGeneratorReports: host "${host}" reported twice; each client host must have its own name`);
    seen.add(host);
  }
  const all = reports.map((r) => r.report);
  const sum = (of: (r: GeneratorReport) => number): number => all.reduce((acc, r) => acc + of(r), 0);

  const latency = mergeEncodedHistograms(all.map((r) => r.histograms.latency));
  const serviceLatency = mergeEncodedHistograms(all.map((r) => r.histograms.serviceLatency));
  const lateness = mergeEncodedHistograms(all.map((r) => r.histograms.lateness));
  const latenessUs = summarize(lateness);

  const starts = all.map((r) => r.window.startEpochMs);
  const window = { startEpochMs: Math.min(...starts), endEpochMs: Math.max(...all.map((r) => r.window.endEpochMs)) };
  // The rate's denominator is the hosts' mean window, not the union: the union also spans the skew at each end, when
  // only some hosts were sending, and would understate the rate by the skew's share. With equal windows of T each host
  // counted its own completions over T, so Σ completed / T is exactly the sum of the hosts' rates.
  const meanWindowMs = sum((r) => r.window.endEpochMs - r.window.startEpochMs) / all.length;
  const completedInWindow = sum((r) => r.completedInWindow);
  const cpuUserUs = sum((r) => r.generator.cpuUserUs);
  const cpuSysUs = sum((r) => r.generator.cpuSysUs);

  const errors = Object.fromEntries(
    // `?? 0`: a report parsed from another host's JSON may come from a build that knew fewer kinds.
    ERROR_KINDS.map((kind) => [kind, sum((r) => r.errors[kind] ?? 0)]),
  ) as Record<ErrorKind, number>;
  const errorSamples: Partial<Record<ErrorKind, string>> = {};
  for (const { host, report } of reports) {
    for (const kind of ERROR_KINDS) {
      const sample = report.errorSamples[kind];
      if (sample !== undefined && errorSamples[kind] === undefined) errorSamples[kind] = `${host}: ${sample}`;
    }
  }

  const tlsHandshakes = sumHandshakes(reports);
  return {
    offeredRps: sum((r) => r.offeredRps),
    achievedRps: meanWindowMs > 0 ? Math.round(((completedInWindow * 1000) / meanWindowMs) * 10) / 10 : 0,
    requests: sum((r) => r.requests),
    completed: sum((r) => r.completed),
    completedInWindow,
    durationMs: window.endEpochMs - window.startEpochMs,
    errors,
    errorSamples,
    latencyUs: summarize(latency),
    serviceLatencyUs: summarize(serviceLatency),
    latenessUs,
    histograms: { latency: encodeHistogram(latency), serviceLatency: encodeHistogram(serviceLatency), lateness: encodeHistogram(lateness) },
    generator: {
      ...mergeVerdicts(reports),
      // Over the same mean window as the rate, so cpuPct / achievedRps is the fleet's CPU per request.
      cpuPct: meanWindowMs > 0 ? Math.round(((cpuUserUs + cpuSysUs) / (meanWindowMs * 1000)) * 1000) / 10 : 0,
      cpuUserUs,
      cpuSysUs,
      latenessP99Us: latenessUs.p99,
      latenessMaxUs: latenessUs.max,
      // Each host has its own in-flight cap, so the fleet's cap is their sum. The summed peak is an upper bound on
      // the fleet's peak: the hosts' peaks need not have coincided. Each host's own peak against its cap is in perHost.
      inFlightPeak: sum((r) => r.generator.inFlightPeak),
      maxInFlight: sum((r) => r.generator.maxInFlight),
    },
    window,
    windowSkewMs: Math.max(...starts) - window.startEpochMs,
    ...(tlsHandshakes === null ? {} : { tlsHandshakes }),
    perHost: reports.map(({ host, report: r }) => ({
      host,
      offeredRps: r.offeredRps,
      achievedRps: r.achievedRps,
      completedInWindow: r.completedInWindow,
      window: r.window,
      generator: r.generator,
    })),
  };
}

type Verdicts = Pick<
  GeneratorHealth,
  "saturated" | "saturationReasons" | "saturationKinds" | "pacing" | "pacingFloorUs" | "limitedBy" | "limitReasons" | "stalls"
>;

/**
 * The worst host's verdict. Each host judged its own sends against its own pacing floor (bench/load/assess.ts); the
 * hosts' lateness percentiles cannot be re-judged against one floor without averaging floors. A run is as good as
 * its worst share: one saturated host sent its part late, and those latencies are in the merged histograms.
 */
function mergeVerdicts(reports: readonly { readonly host: string; readonly report: GeneratorReport }[]): Verdicts {
  const health = reports.map(({ host, report }) => ({ host, g: report.generator }));
  const worst: LimitedBy | null = health.some(({ g }) => g.limitedBy === "generator")
    ? "generator"
    : health.some(({ g }) => g.limitedBy === "server")
      ? "server"
      : null;
  const stalls = health.filter(({ g }) => g.stalls !== undefined).map(({ host, g }) => `${host}: ${g.stalls}`);
  const pacings = new Set(health.map(({ g }) => g.pacing));
  // The floor behind the loosest lateness limit, whole: its percentiles are one host's, never an average of several.
  const floors = health.flatMap(({ g }) => (g.pacingFloorUs === undefined ? [] : [g.pacingFloorUs]));
  const floor = floors.reduce<(typeof floors)[number] | undefined>((a, b) => (a === undefined || b.p99 > a.p99 ? b : a), undefined);
  const [pacing] = pacings;
  return {
    saturated: health.some(({ g }) => g.saturated),
    saturationReasons: health.flatMap(({ host, g }) => g.saturationReasons.map((reason) => `${host}: ${reason}`)),
    // Concatenated, not deduplicated: kinds stay aligned one-to-one with the reasons above (GeneratorVerdict.kinds).
    saturationKinds: health.flatMap(({ g }) => g.saturationKinds),
    // Hosts of one scenario share the --pacing flag; when they disagree there is no one strategy to name.
    ...(pacings.size === 1 && pacing !== undefined ? { pacing } : {}),
    ...(floor === undefined ? {} : { pacingFloorUs: floor }),
    limitedBy: worst,
    limitReasons: worst === null ? [] : health.filter(({ g }) => g.limitedBy === worst).flatMap(({ host, g }) => (g.limitReasons ?? []).map((reason) => `${host}: ${reason}`)),
    ...(stalls.length === 0 ? {} : { stalls: stalls.join("; ") }),
  };
}

/**
 * A client that counts TLS handshakes reports them on every host (bench/load/generator-main.ts adds them whenever
 * the client has onTlsHandshake), and every host runs the scenario's one client; a mix means the reports are not
 * one scenario's, and a partial sum would pass for the whole.
 */
function sumHandshakes(reports: readonly { readonly host: string; readonly report: GeneratorReport }[]): TlsHandshakeCounts | null {
  const counted = reports.filter(({ report }) => report.tlsHandshakes !== undefined);
  if (counted.length === 0) return null;
  if (counted.length < reports.length) {
    const missing = reports.filter(({ report }) => report.tlsHandshakes === undefined).map(({ host }) => host);
    throw new Error(`mergeGeneratorReports: hosts ${missing.join(", ")} reported no TLS handshake counts while the others did; the reports are not from one client`);
  }
  return {
    full: counted.reduce((acc, { report }) => acc + (report.tlsHandshakes?.full ?? 0), 0),
    resumed: counted.reduce((acc, { report }) => acc + (report.tlsHandshakes?.resumed ?? 0), 0),
  };
}
