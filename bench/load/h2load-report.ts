/**
 * An h2load run as the same report our generator writes (bench/load/report.ts), so the result, the table and the
 * reports read it unchanged, and what only an h2load run has: its version, argv, own summary and notes. Pure.
 *
 * h2load knows when it sent each request, not when it meant to: its latency is the service time only. Both latency
 * summaries are that one histogram, the lateness is empty, and the saturation verdict is achieved against offered
 * alone (`assessH2load`).
 */
import type { ErrorKind } from "../../contract/index.ts";
import { armOf } from "../../contract/index.ts";
import type { Protocol } from "../../contract/index.ts";
import { ERROR_KINDS } from "../../contract/index.ts";
import { MIN_ACHIEVED_SHARE, ratePerSecond } from "./assess.ts";
import type { GeneratorVerdict } from "./assess.ts";
import { createHistogram, encodeHistogram, recordMs, summarize } from "./histogram.ts";
import { H2LOAD_DRAIN_MS } from "./h2load-argv.ts";
import { describeStatus, outcomeOf, peakInFlight } from "./h2load-log.ts";
import type { H2loadLogLine } from "./h2load-log.ts";
import type { H2loadSummary } from "./h2load-output.ts";
import type { CpuWindow, GeneratorReport } from "./report.ts";

/** What a scenario driven by h2load records beside the report (result.json `driver`). */
export interface H2loadDriverRecord {
  readonly name: "h2load";
  /** nghttp2's version, from `h2load --version`. */
  readonly version: string;
  readonly argv: readonly string[];
  /** `--rps`: the offered rate over the connections. */
  readonly perConnectionRps: number;
  /**
   * h2load's own closing summary, over its whole main duration (the window and H2LOAD_DRAIN_MS after it), counting
   * requests by when they ended; null when it printed none.
   */
  readonly summary: H2loadSummary | null;
  /** Logged requests that started before the window opened (h2load logs by when a request ended): left out. */
  readonly startedBeforeWindow: number;
  /** What the figures of an h2load scenario mean differently, in plain words. */
  readonly notes: readonly string[];
}

/** The driver's notes for `protocol`: what every h2load scenario shares, and what its arm's columns add. */
export function h2loadNotes(protocol: Protocol): string[] {
  const arm = armOf(protocol);
  const notes = [
    "latency is service time only: h2load has no intended send time, so the latency columns show service time and there is no send lateness",
    "the generator verdict is achieved against offered only",
    "every request carries the same body (sequence number 1); the servers echo it, so every answer is the same",
    "h2load's rate timer ticks every max(10 ms, 1/rps per connection): the requests due in a tick leave together",
    `h2load runs ${H2LOAD_DRAIN_MS / 1000} s past the window, so the window's requests are answered before it stops; the counters stop at the window's end`,
    "--timeout and --max-in-flight do not apply: h2load waits for every answer and holds at most connections × streams in flight",
    "the idle baseline is taken before h2load opens its connections",
  ];
  if (arm.tls) notes.push("h2load does not verify the server's certificate (it never sets SSL_CTX_set_verify, so OpenSSL's SSL_VERIFY_NONE holds): the run's CA is not given to it");
  if (arm.family === "grpc") notes.push("grpc-status not verified by h2load: it counts an HTTP 200 as success and does not read trailers");
  return notes;
}

/** Achieved below MIN_ACHIEVED_SHARE of offered; h2load has no send times, so no lateness test. */
export function assessH2load(input: { readonly offeredRps: number; readonly achievedRps: number }): GeneratorVerdict {
  if (input.achievedRps >= input.offeredRps * MIN_ACHIEVED_SHARE) return { saturated: false, stalls: null, reasons: [], kinds: [], limitedBy: null, limitReasons: [] };
  const share = input.offeredRps > 0 ? (100 * input.achievedRps) / input.offeredRps : 0;
  return {
    saturated: true,
    stalls: null,
    reasons: [`achieved ${round1(input.achievedRps)} req/s is ${round1(share)}% of the offered ${round1(input.offeredRps)} (< ${MIN_ACHIEVED_SHARE * 100}%)`],
    kinds: ["achieved-below-offered"],
    // h2load keeps no send times, so whether it or the server held the rate back cannot be told.
    limitedBy: null,
    limitReasons: [],
  };
}

function zeroErrors(): Record<ErrorKind, number> {
  return Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>;
}

export function buildH2loadReport(input: {
  /** The log lines of the requests that started in the window (h2load-log.ts `requestsInWindow`). */
  readonly inWindow: readonly H2loadLogLine[];
  readonly window: { readonly startEpochMs: number; readonly endEpochMs: number };
  readonly offeredRps: number;
  /** h2load's cap: connections × streams per connection. */
  readonly maxInFlight: number;
  /** h2load's CPU over the window. */
  readonly cpu: CpuWindow;
}): GeneratorReport {
  const service = createHistogram();
  const errors = zeroErrors();
  const errorSamples: Partial<Record<ErrorKind, string>> = {};
  let completed = 0;
  for (const line of input.inWindow) {
    const outcome = outcomeOf(line.status);
    if (outcome === "ok") {
      completed++;
      recordMs(service, line.serviceUs / 1000);
    } else {
      errors[outcome]++;
      errorSamples[outcome] ??= describeStatus(line.status);
    }
  }
  const durationMs = input.window.endEpochMs - input.window.startEpochMs;
  const achievedRps = ratePerSecond(completed, durationMs);
  const verdict = assessH2load({ offeredRps: input.offeredRps, achievedRps });
  const serviceSummary = summarize(service);
  const encoded = encodeHistogram(service);
  return {
    offeredRps: input.offeredRps,
    achievedRps: round1(achievedRps),
    requests: input.inWindow.length,
    completed,
    completedInWindow: completed,
    durationMs,
    errors,
    errorSamples,
    latencyUs: serviceSummary,
    serviceLatencyUs: serviceSummary,
    latenessUs: summarize(createHistogram()),
    histograms: { latency: encoded, serviceLatency: encoded, lateness: encodeHistogram(createHistogram()) },
    generator: {
      cpuPct: durationMs > 0 ? Math.round(((input.cpu.userUs + input.cpu.sysUs) / (durationMs * 1000)) * 1000) / 10 : 0,
      cpuUserUs: input.cpu.userUs,
      cpuSysUs: input.cpu.sysUs,
      latenessP99Us: 0,
      latenessMaxUs: 0,
      inFlightPeak: peakInFlight(input.inWindow),
      maxInFlight: input.maxInFlight,
      saturated: verdict.saturated,
      saturationReasons: verdict.reasons,
      saturationKinds: verdict.kinds,
    },
    window: input.window,
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
