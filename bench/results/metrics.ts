/**
 * The figures reports, comparisons and plans show, each read out of one completed scenario. One list, so the
 * Markdown table, the CSV, `compare` and `plan` never disagree on what "CPU µs/req server" means.
 */
import type { CompletedScenario } from "./schema.ts";
import { totalErrors } from "./schema.ts";

/**
 * Where a figure comes from. `global` figures (/proc/stat, /proc/softirqs) see the whole host: in a window the
 * contamination guard flagged they include other traffic, so they are dropped there (KERNEL-NOTES.md: "flag such
 * windows instead of publishing their global figures"). `namespace` and `process` figures are the run's own.
 */
export type MetricScope = "load" | "namespace" | "process" | "global";

export type MetricId =
  | "offeredRps"
  | "achievedRps"
  | "latencyP50Us"
  | "latencyP99Us"
  | "latencyP999Us"
  | "errors"
  | "packetsPerRequest"
  | "bytesPerRequest"
  | "tcpSegmentsPerRequest"
  | "softirqsPerRequest"
  | "contextSwitchesServerPerRequest"
  | "contextSwitchesClientPerRequest"
  | "cpuServerUsPerRequest"
  | "cpuClientUsPerRequest"
  | "cpuKernelUsPerRequest";

export interface Metric {
  readonly id: MetricId;
  /** Short row label for tables. */
  readonly label: string;
  /** Plain-language noun phrase for sentences: "the packets per request". */
  readonly phrase: string;
  readonly unit: "req/s" | "µs" | "count" | "packets" | "bytes" | "segments" | "runs" | "switches";
  readonly scope: MetricScope;
  /** Decimals in tables. */
  readonly digits: number;
  /** Whether it is a per-request cost, the figures relative factors, `compare` and `plan` work on. */
  readonly cost: boolean;
  readonly read: (s: CompletedScenario) => number | null;
}

function add(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === null || a === undefined || b === null || b === undefined ? null : a + b;
}

export const METRICS: readonly Metric[] = [
  { id: "offeredRps", label: "offered req/s", phrase: "the offered rate", unit: "req/s", scope: "load", digits: 0, cost: false, read: (s) => s.offeredRps },
  { id: "achievedRps", label: "achieved req/s", phrase: "the achieved rate", unit: "req/s", scope: "load", digits: 1, cost: false, read: (s) => s.achievedRps },
  { id: "latencyP50Us", label: "latency p50", phrase: "the median latency", unit: "µs", scope: "load", digits: 0, cost: true, read: (s) => s.latencyUs.p50 },
  { id: "latencyP99Us", label: "latency p99", phrase: "the p99 latency", unit: "µs", scope: "load", digits: 0, cost: true, read: (s) => s.latencyUs.p99 },
  { id: "latencyP999Us", label: "latency p99.9", phrase: "the p99.9 latency", unit: "µs", scope: "load", digits: 0, cost: true, read: (s) => s.latencyUs.p999 },
  { id: "errors", label: "request errors", phrase: "the request errors", unit: "count", scope: "load", digits: 0, cost: false, read: (s) => totalErrors(s.errors) },
  { id: "packetsPerRequest", label: "packets/req", phrase: "the packets per request", unit: "packets", scope: "namespace", digits: 3, cost: true, read: (s) => s.perRequest?.packets ?? null },
  { id: "bytesPerRequest", label: "bytes/req", phrase: "the bytes per request", unit: "bytes", scope: "namespace", digits: 0, cost: true, read: (s) => s.perRequest?.bytes ?? null },
  { id: "tcpSegmentsPerRequest", label: "TCP segments/req", phrase: "the TCP segments per request", unit: "segments", scope: "namespace", digits: 3, cost: true, read: (s) => s.perRequest?.tcpSegments ?? null },
  {
    id: "softirqsPerRequest", label: "NET softirqs/req", phrase: "the NET_RX + NET_TX softirq runs per request", unit: "runs", scope: "global", digits: 2, cost: true,
    read: (s) => add(s.perRequest?.netRxSoftirqs, s.perRequest?.netTxSoftirqs),
  },
  {
    id: "contextSwitchesServerPerRequest", label: "ctx switches/req server", phrase: "the server's context switches per request", unit: "switches", scope: "process", digits: 2, cost: true,
    read: (s) => s.perRequest?.contextSwitches.server ?? null,
  },
  {
    id: "contextSwitchesClientPerRequest", label: "ctx switches/req client", phrase: "the client's context switches per request", unit: "switches", scope: "process", digits: 2, cost: true,
    read: (s) => s.perRequest?.contextSwitches.generator ?? null,
  },
  {
    id: "cpuServerUsPerRequest", label: "CPU µs/req server", phrase: "the server CPU per request", unit: "µs", scope: "process", digits: 1, cost: true,
    // schedstat run time is ns-precise; utime + stime are 10 ms ticks, the fallback when schedstat was unreadable.
    read: (s) => s.perRequest?.cpuUs.serverRun ?? add(s.perRequest?.cpuUs.serverUser, s.perRequest?.cpuUs.serverSys),
  },
  {
    id: "cpuClientUsPerRequest", label: "CPU µs/req client", phrase: "the client CPU per request", unit: "µs", scope: "process", digits: 1, cost: true,
    read: (s) => s.perRequest?.cpuUs.clientRun ?? add(s.perRequest?.cpuUs.clientUser, s.perRequest?.cpuUs.clientSys),
  },
  {
    id: "cpuKernelUsPerRequest", label: "CPU µs/req kernel", phrase: "the softirq + irq CPU per request", unit: "µs", scope: "global", digits: 1, cost: true,
    read: (s) => add(s.perRequest?.cpuUs.softirq, s.perRequest?.cpuUs.irq),
  },
];

export function metric(id: MetricId): Metric {
  const found = METRICS.find((m) => m.id === id);
  if (found === undefined) throw new Error(`unknown metric ${id}`);
  return found;
}

/** The label with its unit when the label does not say it ("latency p99 µs"), for tables of bare numbers. */
export function labelWithUnit(m: Metric): string {
  return m.unit === "µs" && !m.label.includes("µs") ? `${m.label} µs` : m.label;
}

/** A scenario's value for a metric, or null when it is missing or, for a global figure, contaminated. */
export function metricValue(m: Metric, s: CompletedScenario): number | null {
  if (m.scope === "global" && s.contamination?.contaminated === true) return null;
  const value = m.read(s);
  return value === null || !Number.isFinite(value) ? null : value;
}
