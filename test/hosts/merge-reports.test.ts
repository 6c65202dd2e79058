import { describe, expect, it } from "vitest";
import { mergeEncodedHistograms, mergeGeneratorReports } from "../../bench/hosts/merge-reports.ts";
import { emptyErrorCounts } from "../../bench/load/generator.ts";
import { createHistogram, decodeHistogram, encodeHistogram, summarize } from "../../bench/load/histogram.ts";
import type { PacingFloorUs } from "../../bench/load/pacing-floor.ts";
import { buildGeneratorReport } from "../../bench/load/report.ts";
import type { GeneratorReport } from "../../bench/load/report.ts";
import type { ErrorKind } from "../../contract/index.ts";

const T0 = 1_700_000_000_000;
const floor = (p99: number): PacingFloorUs => ({ p50: 40, p99, p999: p99 * 2, samples: 400, cpuUsPerSend: 50 });
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function histogramOf(valuesUs: readonly number[]) {
  const h = createHistogram();
  for (const v of valuesUs) h.recordValue(v);
  return h;
}

/** A host's report as its generator child builds it, from histograms recorded in whole µs. */
function hostReport(o: {
  offeredRps: number;
  latencyUs: number[];
  serviceUs: number[];
  latenessUs: number[];
  window: [number, number];
  counts: [requests: number, completed: number, completedInWindow: number];
  errors?: Partial<Record<ErrorKind, number>>;
  errorSamples?: Partial<Record<ErrorKind, string>>;
  inFlight: [peak: number, max: number];
  cpuUs: [user: number, sys: number];
  floorP99: number;
}): GeneratorReport {
  const [requests, completed, completedInWindow] = o.counts;
  return buildGeneratorReport({
    outcome: {
      requests,
      completed,
      completedInWindow,
      errors: { ...emptyErrorCounts(), ...o.errors },
      errorSamples: o.errorSamples ?? {},
      latency: histogramOf(o.latencyUs),
      serviceLatency: histogramOf(o.serviceUs),
      lateness: histogramOf(o.latenessUs),
      windowStartMs: o.window[0],
      windowEndMs: o.window[1],
      inFlightPeak: o.inFlight[0],
    },
    offeredRps: o.offeredRps,
    maxInFlight: o.inFlight[1],
    cpu: { userUs: o.cpuUs[0], sysUs: o.cpuUs[1] },
    timeOriginMs: T0,
    pacing: { strategy: "worker", floorUs: floor(o.floorP99) },
  });
}

// a carries its 600 req/s; b is short of its 400 with its sends on time (the server's limit); c sends late (the
// generator's limit). Values stay below 2048 µs, where HDR's 3 significant digits keep every µs exactly.
const a = hostReport({
  offeredRps: 600, latencyUs: range(1, 600), serviceUs: [50, 60], latenessUs: [10, 20, 30], window: [200, 10_200],
  counts: [6010, 6002, 6000], errors: { timeout: 2 }, errorSamples: { timeout: "no answer within 5000 ms" },
  inFlight: [7, 50], cpuUs: [600_000, 200_000], floorP99: 180,
});
const b = hostReport({
  offeredRps: 400, latencyUs: range(601, 1000), serviceUs: [70], latenessUs: [40, 50], window: [202, 10_202],
  counts: [4000, 3001, 3000], errors: { refused: 57, timeout: 1, reset: 3 },
  errorSamples: { refused: "in-flight cap 40 reached", timeout: "b's own timeout", reset: "read ECONNRESET" },
  inFlight: [40, 40], cpuUs: [300_000, 100_000], floorP99: 250,
});
const c = hostReport({
  offeredRps: 200, latencyUs: range(1001, 1200), serviceUs: [], latenessUs: [1500, 1600, 1700], window: [199, 10_196],
  counts: [2000, 2000, 2000], inFlight: [3, 50], cpuUs: [500_000, 300_000], floorP99: 300,
});

const bReason =
  "achieved 300 req/s is 75% of the offered 400 (< 99%) while the sends left on time (lateness p99 50 µs ≤ 1250 µs, pacing floor p99 250 µs + margin); 57 requests refused at the in-flight cap (the server's backlog): the server did not keep up";
const cReason = "send lateness p99 1700 µs > 1300 µs (pacing floor p99 300 µs + margin): the generator fell behind its schedule";

describe("merging encoded histograms", () => {
  it("gives the histogram of all values recorded together, not an average of the hosts' percentiles", () => {
    const merged = mergeEncodedHistograms([encodeHistogram(histogramOf([100, 200, 300])), encodeHistogram(histogramOf(range(4, 10).map((v) => v * 100)))]);
    const together = histogramOf(range(1, 10).map((v) => v * 100));
    // The hosts' p50s are 200 and 700; their mean, 450, is no value the merged run had.
    expect(summarize(merged)).toEqual({ count: 10, p50: 500, p90: 900, p99: 1000, p999: 1000, max: 1000, mean: 550 });
    expect(summarize(merged)).toEqual(summarize(together));
    // Same bucket counts, byte for byte.
    expect(encodeHistogram(merged)).toBe(encodeHistogram(together));
  });

  it("keeps values above 2048 µs to their bucket, as one histogram's own round trip does", () => {
    const merged = mergeEncodedHistograms([encodeHistogram(histogramOf([4001, 70_000])), encodeHistogram(histogramOf([3, 35_570]))]);
    expect(summarize(merged)).toEqual(summarize(decodeHistogram(encodeHistogram(histogramOf([3, 4001, 35_570, 70_000])))));
    expect([merged.totalCount, merged.maxValue]).toEqual([4, 70_015]);
  });

  it("merges nothing into an empty histogram", () => {
    expect(summarize(mergeEncodedHistograms([]))).toEqual({ count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 });
  });
});

describe("merging the hosts' generator reports into one scenario", () => {
  const merged = mergeGeneratorReports([
    { host: "a", report: a },
    { host: "b", report: b },
    { host: "c", report: c },
  ]);

  it("takes percentiles from the merged histograms and re-encodes them", () => {
    // Per host the latency p50 was 300, 800 and 1100 µs; all 1200 values together put it at 600.
    expect(merged.latencyUs).toEqual({ count: 1200, p50: 600, p90: 1080, p99: 1188, p999: 1199, max: 1200, mean: 600.5 });
    expect(summarize(decodeHistogram(merged.histograms.latency))).toEqual(summarize(histogramOf(range(1, 1200))));
    // c recorded no service time: an empty histogram adds nothing.
    expect(merged.serviceLatencyUs).toEqual({ count: 3, p50: 60, p90: 70, p99: 70, p999: 70, max: 70, mean: 60 });
    expect(merged.latenessUs).toEqual({ count: 8, p50: 40, p90: 1700, p99: 1700, p999: 1700, max: 1700, mean: 618.8 });
    expect(summarize(decodeHistogram(merged.histograms.lateness))).toEqual(merged.latenessUs);
  });

  it("adds the counters and errors, keeping the first sample of each kind under its host's name", () => {
    expect([merged.offeredRps, merged.requests, merged.completed, merged.completedInWindow]).toEqual([1200, 12_010, 11_003, 11_000]);
    expect(merged.errors).toEqual({ refused: 57, connect: 0, reset: 3, timeout: 3, status: 0, mismatch: 0, protocol: 0, other: 0 });
    expect(merged.errorSamples).toEqual({ timeout: "a: no answer within 5000 ms", refused: "b: in-flight cap 40 reached", reset: "b: read ECONNRESET" });
  });

  it("spans the union of the windows, with the skew of their starts and the rate over their mean length", () => {
    expect(merged.window).toEqual({ startEpochMs: T0 + 199, endEpochMs: T0 + 10_202 });
    expect(merged.windowSkewMs).toBe(3);
    expect(merged.durationMs).toBe(10_003);
    // 11 000 answers over the mean window of (10 000 + 10 000 + 9997) / 3 = 9999 ms; the union would say 1099.7.
    expect(merged.achievedRps).toBe(1100.1);
  });

  it("judges the generator by its worst host, with CPU and in-flight caps summed and each host's health kept", () => {
    expect(merged.generator).toEqual({
      saturated: true,
      saturationReasons: [`c: ${cReason}`],
      saturationKinds: ["send-lateness"],
      pacing: "worker",
      pacingFloorUs: floor(300),
      limitedBy: "generator",
      limitReasons: [`c: ${cReason}`],
      cpuPct: 20,
      cpuUserUs: 1_400_000,
      cpuSysUs: 600_000,
      latenessP99Us: 1700,
      latenessMaxUs: 1700,
      inFlightPeak: 50,
      maxInFlight: 140,
    });
    expect(merged.perHost.map((h) => [h.host, h.offeredRps, h.achievedRps, h.generator.limitedBy, h.generator.cpuPct])).toEqual([
      ["a", 600, 600, null, 8],
      ["b", 400, 300, "server", 4],
      ["c", 200, 200.1, "generator", 8],
    ]);
    expect(merged.perHost[1]?.generator.limitReasons).toEqual([bReason]);
    expect(merged.perHost[2]?.window).toEqual({ startEpochMs: T0 + 199, endEpochMs: T0 + 10_196 });
  });

  it("names the server as the limit when no host's generator fell behind", () => {
    const g = mergeGeneratorReports([{ host: "a", report: a }, { host: "b", report: b }]).generator;
    expect([g.saturated, g.saturationReasons, g.limitedBy, g.limitReasons]).toEqual([false, [], "server", [`b: ${bReason}`]]);
  });

  it("sums TLS handshakes when every host counted them, and leaves them out when none did", () => {
    const tls = (r: GeneratorReport, full: number, resumed: number): GeneratorReport => ({ ...r, tlsHandshakes: { full, resumed } });
    expect(mergeGeneratorReports([{ host: "a", report: tls(a, 4, 10) }, { host: "b", report: tls(b, 2, 0) }]).tlsHandshakes).toEqual({ full: 6, resumed: 10 });
    expect("tlsHandshakes" in merged).toBe(false);
    expect(() => mergeGeneratorReports([{ host: "a", report: tls(a, 4, 10) }, { host: "b", report: b }])).toThrow(
      "mergeGeneratorReports: hosts b reported no TLS handshake counts while the others did; the reports are not from one client",
    );
  });

  it("refuses an empty list and a host named twice", () => {
    expect(() => mergeGeneratorReports([])).toThrow("mergeGeneratorReports: no host reports to merge (a scenario needs at least one client host)");
    expect(() => mergeGeneratorReports([{ host: "a", report: a }, { host: "a", report: b }])).toThrow(
      'mergeGeneratorReports: host "a" reported twice; each client host must have its own name',
    );
  });
});
