/** An h2load run as our generator's report: the same histograms from its log, service time only. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseH2loadLog, requestsInWindow } from "../../bench/load/h2load-log.ts";
import { assessH2load, buildH2loadReport, h2loadNotes } from "../../bench/load/h2load-report.ts";
import { decodeHistogram } from "../../bench/load/histogram.ts";

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/h2load/${name}`, import.meta.url), "utf8");
const ZERO_ERRORS = { refused: 0, connect: 0, reset: 0, timeout: 0, status: 0, mismatch: 0, protocol: 0, other: 0 };

describe("buildH2loadReport", () => {
  it("turns a captured h2 log into the generator's report, latency and service latency being the same service times", () => {
    const lines = parseH2loadLog(fixture("h2.log"));
    // The log's first request started at …380.583 ms; a 500 ms window from …380 ms holds all 100.
    const window = { startEpochMs: 1796456266380, endEpochMs: 1796456266880 };
    const report = buildH2loadReport({ inWindow: requestsInWindow(lines, window), window, offeredRps: 200, maxInFlight: 200, cpu: { userUs: 10_000, sysUs: 20_000 } });
    const { histograms, ...rest } = report;
    const service = { count: 100, p50: 548, p90: 1455, p99: 11623, p999: 14855, max: 14853, mean: 1159.6 };
    expect(rest).toEqual({
      offeredRps: 200,
      achievedRps: 200,
      requests: 100,
      completed: 100,
      completedInWindow: 100,
      durationMs: 500,
      errors: ZERO_ERRORS,
      errorSamples: {},
      latencyUs: service,
      serviceLatencyUs: service,
      latenessUs: { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 },
      generator: {
        cpuPct: 6,
        cpuUserUs: 10_000,
        cpuSysUs: 20_000,
        latenessP99Us: 0,
        latenessMaxUs: 0,
        inFlightPeak: 3,
        maxInFlight: 200,
        saturated: false,
        saturationReasons: [],
        saturationKinds: [],
      },
      window,
    });
    expect(histograms.latency).toBe(histograms.serviceLatency);
    expect(decodeHistogram(histograms.serviceLatency).totalCount).toBe(100);
    expect(decodeHistogram(histograms.lateness).totalCount).toBe(0);
  });

  it("counts a captured run of 404s as status errors, none completed, and flags the rate it did not achieve", () => {
    const lines = parseH2loadLog(fixture("http1-404.log"));
    const window = { startEpochMs: 1796456268064, endEpochMs: 1796456268264 };
    const report = buildH2loadReport({ inWindow: requestsInWindow(lines, window), window, offeredRps: 200, maxInFlight: 2, cpu: { userUs: 0, sysUs: 0 } });
    expect(report).toMatchObject({
      requests: 40,
      completed: 0,
      completedInWindow: 0,
      achievedRps: 0,
      errors: { ...ZERO_ERRORS, status: 40 },
      errorSamples: { status: "HTTP status 404" },
      latencyUs: { count: 0 },
    });
    expect(report.generator.saturationReasons).toEqual(["achieved 0 req/s is 0% of the offered 200 (< 99%)"]);
  });

  it("counts failed streams as resets beside answered requests", () => {
    const window = { startEpochMs: 0, endEpochMs: 1000 };
    const inWindow = [
      { startUs: 1, status: 200, serviceUs: 100 },
      { startUs: 2, status: -1, serviceUs: 50 },
      { startUs: 3, status: 200, serviceUs: 300 },
      { startUs: 4, status: 503, serviceUs: 20 },
    ];
    const report = buildH2loadReport({ inWindow, window, offeredRps: 2, maxInFlight: 4, cpu: { userUs: 0, sysUs: 0 } });
    expect(report).toMatchObject({ requests: 4, completed: 2, achievedRps: 2, errors: { ...ZERO_ERRORS, reset: 1, status: 1 }, latencyUs: { count: 2, p50: 100, max: 300 } });
    expect(report.errorSamples).toEqual({ reset: "h2load logged the stream as failed (status -1): reset, or its connection failed", status: "HTTP status 503" });
    expect(report.generator.saturated).toBe(false);
  });
});

describe("assessH2load", () => {
  it("judges achieved against offered only: 99% is clean, below it saturated", () => {
    expect(assessH2load({ offeredRps: 1000, achievedRps: 990 })).toEqual({ saturated: false, stalls: null, reasons: [], kinds: [], limitedBy: null, limitReasons: [] });
    expect(assessH2load({ offeredRps: 1000, achievedRps: 989.9 })).toEqual({
      saturated: true,
      stalls: null,
      reasons: ["achieved 989.9 req/s is 99% of the offered 1000 (< 99%)"],
      kinds: ["achieved-below-offered"],
      limitedBy: null,
      limitReasons: [],
    });
  });
});

describe("h2loadNotes", () => {
  it("says what every h2load scenario's figures mean, and adds TLS and gRPC notes from the arm's columns", () => {
    const common = h2loadNotes("http1");
    expect(common).toEqual([
      "latency is service time only: h2load has no intended send time, so the latency columns show service time and there is no send lateness",
      "the generator verdict is achieved against offered only",
      "every request carries the same body (sequence number 1); the servers echo it, so every answer is the same",
      "h2load's rate timer ticks every max(10 ms, 1/rps per connection): the requests due in a tick leave together",
      "h2load runs 1 s past the window, so the window's requests are answered before it stops; the counters stop at the window's end",
      "--timeout and --max-in-flight do not apply: h2load waits for every answer and holds at most connections × streams in flight",
      "the idle baseline is taken before h2load opens its connections",
    ]);
    expect(h2loadNotes("h2c")).toEqual(common);
    expect(h2loadNotes("h2").slice(common.length)).toEqual([
      "h2load does not verify the server's certificate (it never sets SSL_CTX_set_verify, so OpenSSL's SSL_VERIFY_NONE holds): the run's CA is not given to it",
    ]);
    expect(h2loadNotes("grpc").slice(common.length)).toEqual(["grpc-status not verified by h2load: it counts an HTTP 200 as success and does not read trailers"]);
  });
});
