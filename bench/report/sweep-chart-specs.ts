/**
 * Vega-Lite specs for a sweep's curves against the offered load, one line per protocol with its knee marked (a
 * diamond and a label). Data is inline, as for every report chart (chart-specs.ts).
 */
import type { TopLevelSpec } from "vega-lite";
import type { RunResult } from "../results/schema.ts";
import type { ChartSpec } from "./doc.ts";
import { CONFIG, HEIGHT, protocolColor, VEGA_LITE_SCHEMA, WIDTH } from "./chart-style.ts";
import type { SweepChartId } from "./doc.ts";
import { formatUs } from "../results/format.ts";
import { curveRows } from "./sweep-data.ts";
import type { CurveRow } from "./sweep-data.ts";
import { offeredRates, sweepConfigOf, sweepOf, sweepUnit } from "../results/sweep-view.ts";
import { kernelTimeMethod } from "../results/run-view.ts";

/**
 * Log axes for geometric steps (equal ratios sit evenly), linear for linear steps; in the sweep's unit, so a sweep
 * by pps is drawn against the packets/s it offered at the server interface.
 */
function xAxis(result: RunResult) {
  const log = sweepConfigOf(result)?.spacing !== "linear";
  return {
    field: "offered",
    type: "quantitative" as const,
    title: sweepUnit(result) === "pps" ? "offered packets/s (pps, server interface)" : "offered req/s",
    scale: { type: log ? ("log" as const) : ("linear" as const) },
    axis: { values: offeredRates(result), format: "~s", labelAngle: 0 },
  };
}

/** The y channel: every curve row keeps its figure in `value`. */
function yValue(title: string, scale: "log" | "linear" = "linear", axis: { format?: string; labelExpr?: string } = { format: "~r" }) {
  return { field: "value", type: "quantitative" as const, title, scale: { type: scale }, axis };
}

/** Latency ticks in the unit that reads best: 2 ms, not 2,000 µs. */
const LATENCY_LABEL = "datum.value >= 1000000 ? format(datum.value / 1000000, '~g') + ' s' : datum.value >= 1000 ? format(datum.value / 1000, '~g') + ' ms' : format(datum.value, '~g') + ' µs'";

/** The protocol's line with a dot per step, its knee as a diamond, and the knee's label beside it. */
function curveLayers(result: RunResult, y: ReturnType<typeof yValue>) {
  const encoding = { x: xAxis(result), y, color: protocolColor(result) };
  const knee = { filter: "datum.knee" };
  return [
    { mark: { type: "line" as const, point: { size: 28 }, strokeWidth: 1.5 }, encoding },
    { transform: [knee], mark: { type: "point" as const, shape: "diamond", size: 150, filled: true, stroke: "black", strokeWidth: 0.8, opacity: 1 }, encoding },
    { transform: [knee], mark: { type: "text" as const, align: "left" as const, dx: 8, dy: -10, fontSize: 11, fontWeight: "bold" as const }, encoding: { ...encoding, text: { field: "kneeLabel" } } },
  ];
}

const KNEE_MARKS = "Diamonds: each protocol's knee, as in the throughput chart.";
const KNEE_NOTE = 'The diamond marks each protocol\'s knee, the highest offered rate that met the SLO; "knee ≥": the load generator gave out first, so the protocol\'s knee is at least there and the points past it describe the generator, not the protocol.';

/**
 * Achieved against offered, in the sweep's unit: req/s by rps; by pps the packets/s the server interface saw in the
 * window against those offered, which also shows how well each step's calibration held.
 */
function throughput(result: RunResult): ChartSpec {
  const pps = sweepUnit(result) === "pps";
  const rows = curveRows(result, pps ? "measuredPps" : "achievedRps", "achieved", { positiveOnly: sweepConfigOf(result)?.spacing !== "linear" });
  const rates = offeredRates(result);
  const ends = [rates[0], rates.at(-1)].filter((r): r is number => r !== undefined).map((r) => ({ offered: r, value: r }));
  const log = sweepConfigOf(result)?.spacing !== "linear";
  const y = yValue(pps ? "measured packets/s" : "achieved req/s", log ? "log" : "linear", { format: "~s" });
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: "Throughput against offered load",
    config: CONFIG,
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    layer: [
      { data: { values: ends }, mark: { type: "line", strokeDash: [5, 4], color: "#999", strokeWidth: 1 }, encoding: { x: xAxis(result), y } },
      { data: { values: ends.slice(-1).map((e) => ({ ...e, label: pps ? "measured = offered" : "achieved = offered" })) }, mark: { type: "text", align: "right", dx: -6, dy: -8, color: "#777", fontSize: 11 }, encoding: { x: xAxis(result), y, text: { field: "label" } } },
      ...curveLayers(result, y),
    ],
  };
  return {
    id: "sweep-throughput",
    title: "Throughput against offered load",
    note: pps
      ? `Packets per second at the server interface in the window against the packet rate offered (each step's request rate calibrated for it), mean over repeats; the dashed grey line is measured = offered. Achieved req/s are in the tables. ${KNEE_NOTE}`
      : `Achieved rate (verified answers per second in the window) against the offered rate, mean over repeats; the dashed grey line is achieved = offered. ${KNEE_NOTE}`,
    spec,
  };
}

function latency(result: RunResult): ChartSpec {
  const slo = sweepOf(result)?.sloP99Us ?? result.config.sloP99Us;
  const y = yValue("p99 latency", "log", { labelExpr: LATENCY_LABEL });
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: "p99 latency against offered load",
    config: CONFIG,
    width: WIDTH,
    height: HEIGHT,
    data: { values: curveRows(result, "p99Us", "p99", { positiveOnly: true }) },
    layer: [
      { data: { values: [{ value: slo }] }, mark: { type: "rule", strokeDash: [4, 4], color: "#c33", strokeWidth: 1.25 }, encoding: { y } },
      { data: { values: [{ value: slo, label: `SLO: p99 ≤ ${formatUs(slo)}` }] }, mark: { type: "text", align: "left", dy: -7, color: "#c33", fontSize: 11 }, encoding: { x: { value: 4 }, y, text: { field: "label" } } },
      ...curveLayers(result, y),
    ],
  };
  return {
    id: "sweep-latency-p99",
    title: "p99 latency against offered load",
    note: `p99 latency from each request's intended send time (queueing behind a late generator counts), mean over repeats; the dashed red line is the SLO. Logarithmic latency axis. ${KNEE_MARKS}`,
    spec,
  };
}

/**
 * One panel per series, sharing the y axis unless told otherwise. Every panel marks the knees; only the first
 * labels them, where the labels of close knees would otherwise pile up in a flat panel.
 */
function panels(result: RunResult, id: SweepChartId, title: string, all: readonly CurveRow[], order: readonly string[], yTitle: string, independentY: boolean, note: string): ChartSpec {
  const shown = order.filter((s) => all.some((r) => r.series === s));
  const rows = all.map((r) => (r.series === shown[0] ? r : { ...r, kneeLabel: "" }));
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title,
    config: CONFIG,
    data: { values: rows },
    facet: { column: { field: "series", type: "nominal", title: null, sort: shown, header: { labelFontSize: 11 } } },
    spec: { width: Math.round(WIDTH / Math.max(shown.length, 2)), height: Math.round(HEIGHT * 0.85), layer: curveLayers(result, yValue(yTitle)) },
    ...(independentY ? { resolve: { scale: { y: "independent" } } } : {}),
  };
  return { id, title, note, spec };
}

const CPU_SERIES = ["server process (schedstat)", "client process (schedstat)", "kernel softirq + irq, server CPU (/proc/stat)"] as const;

function cpu(result: RunResult): ChartSpec {
  const rows = [
    ...curveRows(result, "cpuServerUs", CPU_SERIES[0]),
    ...curveRows(result, "cpuClientUs", CPU_SERIES[1]),
    ...curveRows(result, "kernelUs", CPU_SERIES[2]),
  ];
  return panels(
    result,
    "sweep-cpu-per-request",
    "CPU µs per request against offered load",
    rows,
    CPU_SERIES,
    "µs per request",
    false,
    kernelTimeMethod(result) === "ebpf"
      ? `Per-request CPU in three panels, never stacked or added: the server and the client process (schedstat run time, ns-precise), and the exact softirq + hard-IRQ time on the server's CPU (eBPF; contaminated windows left out). The process lines still hold the softirqs that ran on their back (schedstat); the attribution chart splits them out. ${KNEE_MARKS}`
      : `Per-request CPU in three panels, never stacked or added: the server and the client process (schedstat run time, ns-precise), and the kernel's softirq + irq time on the server's CPU (/proc/stat ticks; contaminated windows left out). Without IRQ time accounting the kernel ticks are also charged to whatever task they interrupted, so the kernel line overlaps the process lines. ${KNEE_MARKS}`,
  );
}

const KERNEL_SERIES = ["softirq share of the server's CPU, %", "drops in the window, server namespace"] as const;

function softirqAndDrops(result: RunResult): ChartSpec {
  const rows = [...curveRows(result, "serverSoftirqPct", KERNEL_SERIES[0]), ...curveRows(result, "drops", KERNEL_SERIES[1])];
  return panels(
    result,
    "sweep-softirq-drops",
    "Softirq share and drops against offered load",
    rows,
    KERNEL_SERIES,
    "",
    true,
    `Left: the server CPU's softirq share over the window (${kernelTimeMethod(result) === "ebpf" ? "exact, eBPF" : "/proc/stat ticks"}, contaminated windows left out). Right, when the result has drop counters: the server namespace's ListenDrops + TCPBacklogDrop + TCPRcvQDrop + TCPOFODrop + TCPZeroWindowDrop + Udp InErrors. Receive livelock shows as the softirq share rising while throughput (the first chart) falls. ${KNEE_MARKS}`,
  );
}

/** The sweep's charts; none for a run that is not a sweep. */
export function sweepChartSpecs(result: RunResult): ChartSpec[] {
  if (sweepOf(result) === null) return [];
  return [throughput(result), latency(result), cpu(result), softirqAndDrops(result)];
}
