/**
 * Vega-Lite specs for the report's charts, over the rows of chart-data.ts. Data is inline (`values`): a spec that
 * named a URL would make vega fetch it, and the report must render with no network.
 */
import type { TopLevelSpec } from "vega-lite";
import type { RunResult } from "../results/schema.ts";
import { ATTRIBUTION_PARTS, attributionRows, cpuRows, latencyRows, packetRows, seriesRows } from "./chart-data.ts";
import type { ChartId, ChartSpec } from "./doc.ts";
import { CONFIG, HEIGHT, protocolColor, WIDTH } from "./chart-style.ts";
import { seriesIn } from "../results/run-view.ts";
import { sweepChartSpecs } from "./sweep-chart-specs.ts";
import { sideBySideView } from "../results/sweep-view.ts";


type SeriesQuantity = "pps" | "softirqRate" | "cpuBusyPct";

/**
 * Small multiples, one panel per protocol (three to a row), a line per repeat — per CPU for the CPU chart. One panel
 * with every scenario's line was unreadable at six protocols × repeats.
 */
function timeSeries(result: RunResult, id: ChartId, title: string, yTitle: string, quantity: SeriesQuantity, note: string): ChartSpec {
  const cpu = quantity === "cpuBusyPct";
  return {
    id,
    title,
    note,
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title,
      config: CONFIG,
      data: { values: seriesRows(result, quantity) },
      facet: { field: "protocol", type: "nominal", title: null, sort: seriesIn(result) },
      columns: 3,
      spec: {
        width: Math.round(WIDTH / 2.4),
        height: Math.round(HEIGHT / 2),
        mark: { type: "line", strokeWidth: 1.25 },
        encoding: {
          x: { field: "tS", type: "quantitative", title: "s into the scenario" },
          y: { field: "value", type: "quantitative", title: yTitle, ...(cpu ? { scale: { domain: [0, 100] } } : {}) },
          color: cpu
            ? { field: "side", type: "nominal", title: "CPU", scale: { scheme: "set1" } }
            : { field: "repeat", type: "nominal", title: "repeat", scale: { scheme: "set1" } },
          ...(cpu ? { strokeDash: { field: "repeat", type: "nominal", title: "repeat" } } : {}),
          detail: { field: "scenario", type: "nominal" },
        },
      },
    },
  };
}

function singleRateSpecs(result: RunResult): ChartSpec[] {
  const protocols = seriesIn(result);
  const packets: ChartSpec = {
    id: "packets-per-request",
    title: "Packets per request",
    note: "Per protocol, server interface packets stacked rx (requests arriving) and tx (responses leaving), beside TCP segments stacked InSegs and OutSegs; mean over completed scenarios. With TSO/GSO on, the interface counts super-packets; TCP segments are the wire-like count.",
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: "Packets per request",
      config: CONFIG,
      width: WIDTH,
      height: HEIGHT,
      data: { values: packetRows(result) },
      encoding: {
        x: { field: "protocol", type: "nominal", sort: protocols, title: null, axis: { labelAngle: 0 } },
        xOffset: { field: "series", type: "nominal" },
        y: { field: "value", type: "quantitative", title: "per request", stack: "zero" },
        color: { field: "part", type: "nominal", title: null, scale: { scheme: "tableau10" } },
        order: { field: "order", type: "quantitative" },
        tooltip: [{ field: "protocol" }, { field: "series" }, { field: "part" }, { field: "value", format: ".3f" }],
      },
      mark: { type: "bar" },
    },
  };
  const cpu = stackedPerSide({
    id: "cpu-per-request",
    title: "CPU µs per request on the server's and the client's CPU",
    note: "/proc/stat time on each pinned CPU divided by requests, stacked by user/system/softirq/irq, mean over repeats (contaminated windows left out). Each tick lands in one bucket, so the stack is a true total for that CPU — whatever ran there, the process and the kernel work steered to it. Tick-sampled: coarse for short windows.",
    rows: cpuRows(result),
    protocols,
    color: { title: "time", domain: ["user", "system", "softirq", "irq"], scheme: "set2" },
    tooltip: false,
  });
  const attribution = stackedPerSide({
    id: "cpu-attribution",
    title: "Where each CPU's time went, µs per request (eBPF)",
    note: "Exact time per request on the server's and the client's CPU, from eBPF: each task's own time (its softirqs and interrupts taken out of it), its syscalls, the softirqs by vector wherever they ran, hard interrupts, kernel threads and other tasks; idle is left out. The parts do not overlap, so the stack is the CPU's busy time per request. Mean over repeats; contaminated windows left out. Empty when the run measured kernel time by the tick method.",
    rows: attributionRows(result),
    protocols,
    color: { title: "where", domain: [...ATTRIBUTION_PARTS], scheme: "tableau10" },
    tooltip: true,
  });
  const latency: ChartSpec = {
    id: "latency-percentiles",
    title: "Latency by percentile",
    note: "From the HDR histograms (latency from each request's intended send time, so queueing behind a late generator counts), repeats merged per protocol. Both axes are logarithmic.",
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: "Latency by percentile",
      config: CONFIG,
      width: WIDTH,
      height: HEIGHT,
      data: { values: latencyRows(result) },
      mark: { type: "line", point: { size: 18 }, strokeWidth: 1.5 },
      encoding: {
        x: {
          field: "nines",
          type: "quantitative",
          title: "percentile",
          scale: { type: "log" },
          axis: { values: [1, 2, 10, 100, 1000, 10000, 100000], labelExpr: "datum.value <= 1 ? '0%' : format(100 - 100 / datum.value, '.5~') + '%'" },
        },
        y: { field: "latencyUs", type: "quantitative", title: "latency, µs", scale: { type: "log" } },
        color: protocolColor(result),
      },
    },
  };
  return [
    packets,
    cpu,
    attribution,
    latency,
    timeSeries(result, "timeseries-pps", "Packets per second during each scenario", "packets/s", "pps", "Server interface packets per second per sample interval (rx + tx)."),
    timeSeries(result, "timeseries-softirq", "NET softirq runs per second during each scenario", "NET softirq runs/s", "softirqRate", "NET_RX + NET_TX softirq runs per second on all CPUs; contaminated windows left out."),
    timeSeries(
      result,
      "timeseries-cpu",
      "CPU busy during each scenario",
      "busy, %",
      "cpuBusyPct",
      "Busy share (100% − idle − steal) of the server's and the client's CPU per sample interval, from /proc/stat; contaminated windows left out. At 100 ticks/s and 10 Hz a point moves in 10% steps.",
    ),
  ];
}

/** Bars of µs per request by protocol, one panel per side (the server's CPU, the client's), stacked by `part`. */
function stackedPerSide(c: {
  readonly id: ChartSpec["id"];
  readonly title: string;
  readonly note: string;
  readonly rows: readonly object[];
  readonly protocols: readonly string[];
  readonly color: { readonly title: string; readonly domain: readonly string[]; readonly scheme: "set2" | "tableau10" };
  readonly tooltip: boolean;
}): ChartSpec {
  return {
    id: c.id,
    title: c.title,
    note: c.note,
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: c.title,
      config: CONFIG,
      data: { values: [...c.rows] },
      facet: { column: { field: "side", type: "nominal", title: null, sort: "descending" } },
      spec: {
        width: Math.round(WIDTH / 2),
        height: HEIGHT,
        mark: { type: "bar" },
        encoding: {
          x: { field: "protocol", type: "nominal", sort: [...c.protocols], title: null, axis: { labelAngle: -30 } },
          y: { field: "us", type: "quantitative", aggregate: "sum", title: "µs per request" },
          color: { field: "part", type: "nominal", title: c.color.title, scale: { domain: [...c.color.domain], scheme: c.color.scheme } },
          order: { field: "order", type: "quantitative" },
          ...(c.tooltip ? { tooltip: [{ field: "protocol" }, { field: "side" }, { field: "part" }, { field: "us", format: ".2f" }] } : {}),
        },
      },
    },
  };
}

/**
 * Every chart of a report. A sweep's per-protocol charts are drawn at its comparison step (sweep-view.ts), so no
 * bar or curve mixes offered rates, and its curves against the offered load follow.
 */
export function chartSpecs(result: RunResult): ChartSpec[] {
  const specs = [...singleRateSpecs(sideBySideView(result)), ...sweepChartSpecs(result)];
  return specs.map((c) => ({ ...c, empty: !hasRows(c.spec) }));
}

/** Whether a spec's inline data (every report chart's, see above) has a row to draw. */
function hasRows(spec: TopLevelSpec): boolean {
  const data = spec.data;
  return data != null && "values" in data && Array.isArray(data.values) && data.values.length > 0;
}
