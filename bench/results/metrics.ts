/**
 * The figures reports, comparisons and plans show, each read out of one completed scenario. One list, so the
 * Markdown table, `compare` and `plan` never disagree on what "CPU µs/req server" means: the load figures are
 * here, the kernel ones come from the collector's figure views (bench/collector/figure-views.ts), in their order.
 */
import { FIGURE_VIEWS, type FigureMetricId, type FigureScope, type FigureUnit } from "../collector/index.ts";
import type { CompletedScenario } from "./schema.ts";
import { totalErrors } from "./schema.ts";

/**
 * Where a figure comes from. `global` figures (/proc/stat, /proc/softirqs) see the whole host: in a window the
 * contamination guard flagged they include other traffic, so they are dropped there
 * (docs/kernel-notes.md § "The contamination guard"). `namespace` and `process` figures are the run's own.
 */
export type MetricScope = "load" | FigureScope;

type LoadMetricId = "offeredRps" | "achievedRps" | "latencyP50Us" | "latencyP99Us" | "latencyP999Us" | "errors";

export type MetricId = LoadMetricId | FigureMetricId;

export interface Metric {
  readonly id: MetricId;
  /** Short row label for tables. */
  readonly label: string;
  /** Plain-language noun phrase for sentences: "the packets per request". */
  readonly phrase: string;
  readonly unit: "req/s" | "count" | FigureUnit;
  readonly scope: MetricScope;
  /** Decimals in tables. */
  readonly digits: number;
  /** Whether it is a per-request cost, the figures relative factors, `compare` and `plan` work on. */
  readonly cost: boolean;
  readonly read: (s: CompletedScenario) => number | null;
}

const LOAD_METRICS: readonly Metric[] = [
  { id: "offeredRps", label: "offered req/s", phrase: "the offered rate", unit: "req/s", scope: "load", digits: 0, cost: false, read: (s) => s.offeredRps },
  { id: "achievedRps", label: "achieved req/s", phrase: "the achieved rate", unit: "req/s", scope: "load", digits: 1, cost: false, read: (s) => s.achievedRps },
  { id: "latencyP50Us", label: "latency p50", phrase: "the median latency", unit: "µs", scope: "load", digits: 0, cost: true, read: (s) => s.latencyUs.p50 },
  { id: "latencyP99Us", label: "latency p99", phrase: "the p99 latency", unit: "µs", scope: "load", digits: 0, cost: true, read: (s) => s.latencyUs.p99 },
  { id: "latencyP999Us", label: "latency p99.9", phrase: "the p99.9 latency", unit: "µs", scope: "load", digits: 0, cost: true, read: (s) => s.latencyUs.p999 },
  { id: "errors", label: "request errors", phrase: "the request errors", unit: "count", scope: "load", digits: 0, cost: false, read: (s) => totalErrors(s.errors) },
];

/** The kernel figures' metrics, read from a scenario's per-request figures. */
const FIGURE_METRICS: readonly Metric[] = FIGURE_VIEWS.flatMap((v): Metric[] =>
  v.metric === undefined
    ? []
    : [{ ...v.metric, unit: v.unit, scope: v.scope, read: (s) => (s.perRequest === undefined ? null : v.read(s.perRequest)) }],
);

export const METRICS: readonly Metric[] = [...LOAD_METRICS, ...FIGURE_METRICS];

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
