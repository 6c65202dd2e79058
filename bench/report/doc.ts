/**
 * A report as a list of blocks, built once from a result and rendered by each exporter (Markdown, HTML). Text is
 * plain with two inline marks every renderer understands, `code` and **strong**, and a backslash before ASCII
 * punctuation for the character itself — CommonMark's reading of them. A string from a result is data, never
 * markup: anyone can write a result.json, so its strings enter the text through `plain` or `code`
 * (results/markdown-text.ts).
 */
import type { TopLevelSpec } from "vega-lite";
import type { Series } from "../results/series.ts";

export type ChartId =
  | "packets-per-request"
  | "cpu-per-request"
  | "cpu-attribution"
  | "latency-percentiles"
  | "timeseries-pps"
  | "timeseries-softirq"
  | "timeseries-cpu"
  | SweepChartId;

/** Charts only a sweep has: curves against the offered load. */
export type SweepChartId = "sweep-throughput" | "sweep-latency-p99" | "sweep-cpu-per-request" | "sweep-softirq-drops";

/** The charts every report has, in order; a sweep adds SWEEP_CHART_IDS. */
export const CHART_IDS: readonly ChartId[] = [
  "packets-per-request",
  "cpu-per-request",
  "cpu-attribution",
  "latency-percentiles",
  "timeseries-pps",
  "timeseries-softirq",
  "timeseries-cpu",
];

export const SWEEP_CHART_IDS: readonly SweepChartId[] = ["sweep-throughput", "sweep-latency-p99", "sweep-cpu-per-request", "sweep-softirq-drops"];

export type Align = "left" | "right";

export type Block =
  | { readonly kind: "heading"; readonly level: 1 | 2 | 3; readonly text: string }
  | { readonly kind: "paragraph"; readonly text: string }
  | { readonly kind: "list"; readonly items: readonly string[] }
  | {
      readonly kind: "table";
      readonly header: readonly string[];
      readonly rows: readonly (readonly string[])[];
      /** Per column; default: first left, the rest right (labels, then numbers). */
      readonly align?: readonly Align[];
    }
  | { readonly kind: "chart"; readonly chart: ChartId; readonly title: string; readonly note: string; readonly empty: boolean };

export interface ReportDoc {
  readonly title: string;
  readonly blocks: readonly Block[];
}

/** A chart rendered to SVG, handed to the exporters (rendering is async; the exporters stay pure). */
export interface RenderedChart {
  readonly id: ChartId;
  readonly title: string;
  readonly svg: string;
}

export function chartFileName(id: ChartId): string {
  return `${id}.svg`;
}

export const EMPTY_CHART_NOTE = "nothing to chart: no completed scenario of this run has these figures.";

export function columnAlign(align: readonly Align[] | undefined, index: number): Align {
  return align?.[index] ?? (index === 0 ? "left" : "right");
}

export interface ChartSpec {
  readonly id: ChartId;
  readonly title: string;
  /** What the chart shows and from which figure, for the report text under it. */
  readonly note: string;
  readonly spec: TopLevelSpec;
  /** No row to plot (no completed scenario has the figures): the chart is not rendered, the report says so. */
  readonly empty?: boolean;
}

export interface ExportOptions {
  /** Factors are against this series (an arm, or `arm~client`). Default (writeReports): http1, or the run's first series. */
  readonly baselineProtocol: Series;
  /** Every chart, rendered; the Markdown links them by file name, the HTML inlines them. */
  readonly charts: readonly RenderedChart[];
}
