/**
 * How figures are shown: report.csv columns (each counter's `csv`, placed by column number), and the report's
 * metrics and the console table's kernel columns (`FIGURE_VIEWS`, in the order they are shown). A view shows one
 * stored figure or one derived figure; results/metrics.ts, report/csv.ts and report/table.ts build their kernel
 * parts from these lists alone.
 */
import { assertNever } from "../../contract/index.ts";
import { COST_FIGURE_NODES, type CostFigures, CLIENT_CPU, type DerivedFigure, KERNEL_CPU, NET_SOFTIRQS, SERVER_CPU, tickKernelErrorPct } from "./cost-figures.ts";
import type { CsvPresentation, Described, Figure, FigureScope, FigureUnit } from "./figure-kinds.ts";
import type { FigureInput } from "./figure-input.ts";
import { BYTES, PACKETS, TCP_SEGMENTS } from "./figures-packets.ts";
import { CONTEXT_SWITCHES } from "./figures-cpu.ts";

/** Breakdown keys (CPUs, lines, threads) stand as "*" in a descriptor's path. */
export const ANY_KEY = "*";

export interface FigureLeaf {
  /** Keys from the root of `CostFigures`: ["cpuUs", "perCpu", "*", "user"]. */
  readonly path: readonly string[];
  readonly node: Extract<Described, { readonly kind: "figure" | "part" | "fact" }>;
}

/** Every leaf descriptor of a tree, in result.json's order. */
export function figureLeaves(children: { readonly [key: string]: Described }, at: readonly string[] = []): FigureLeaf[] {
  return Object.entries(children).flatMap(([key, node]) => leavesOf(node, [...at, key]));
}

function leavesOf(node: Described, path: readonly string[]): FigureLeaf[] {
  switch (node.kind) {
    case "figure":
    case "part":
    case "fact":
      return [{ path, node }];
    case "breakdown":
      return leavesOf(node.item, [...path, ANY_KEY]);
    case "group":
    case "section":
      return figureLeaves(node.children, path);
    default:
      return assertNever(node);
  }
}

/** The value at `path` in a figures object, when it is a number; null otherwise (absent, null, not read). */
export function numberAt(figures: CostFigures, path: readonly string[]): number | null {
  let at: unknown = figures;
  for (const key of path) {
    if (typeof at !== "object" || at === null) return null;
    at = Object.entries(at).find(([k]) => k === key)?.[1];
  }
  return typeof at === "number" ? at : null;
}

const LEAVES = figureLeaves(COST_FIGURE_NODES);

function pathOf(node: Described): readonly string[] {
  const found = LEAVES.find((leaf) => leaf.node === node);
  if (found === undefined) throw new Error("a view names a figure that is not in COST_FIGURE_NODES");
  return found.path;
}

export interface CsvFigure extends CsvPresentation {
  readonly scope: FigureScope;
  readonly read: (f: CostFigures) => number | null;
}

/** The figures with a report.csv column, in column order. */
export const CSV_FIGURES: readonly CsvFigure[] = LEAVES.flatMap(({ path, node }) =>
  node.kind === "figure" && node.csv !== undefined ? [{ ...node.csv, scope: node.scope, read: (f: CostFigures) => numberAt(f, path) }] : [],
).sort((a, b) => a.column - b.column);

/** A row of the report's figure tables, and a figure `compare` and `plan` work on. */
export interface MetricPresentation<Id extends string> {
  readonly id: Id;
  /** Short row label for tables. */
  readonly label: string;
  /** Plain-language noun phrase for sentences: "the packets per request". */
  readonly phrase: string;
  /** Decimals in tables. */
  readonly digits: number;
  /** Whether it is a per-request cost, the figures relative factors, `compare` and `plan` work on. */
  readonly cost: boolean;
}

export interface ConsolePresentation {
  readonly header: string;
  readonly digits: number;
  /** The figure's relative error, %, from the window's totals, printed as "±N%" beside it; null when exact. */
  readonly errorPct?: (totals: CostFigures) => number | null;
}

export interface FigureView<Id extends string> {
  readonly unit: FigureUnit;
  readonly scope: FigureScope;
  readonly read: (f: CostFigures) => number | null;
  readonly metric: MetricPresentation<Id> | undefined;
  readonly console: ConsolePresentation | undefined;
}

function view<const Id extends string = never>(
  figure: Figure<FigureInput> | DerivedFigure,
  show: { readonly metric?: MetricPresentation<Id>; readonly console?: ConsolePresentation },
): FigureView<Id> {
  let read: (f: CostFigures) => number | null;
  if (figure.kind === "derived") read = figure.read;
  else {
    const path = pathOf(figure);
    read = (f) => numberAt(f, path);
  }
  return { unit: figure.unit, scope: figure.scope, read, metric: show.metric, console: show.console };
}

/** The figures the report's tables, `compare`, `plan` and the console table show, in the order they show them. */
export const FIGURE_VIEWS = [
  view(PACKETS, {
    metric: { id: "packetsPerRequest", label: "packets/req", phrase: "the packets per request", digits: 3, cost: true },
    console: { header: "pkts/req", digits: 2 },
  }),
  view(BYTES, {
    metric: { id: "bytesPerRequest", label: "bytes/req", phrase: "the bytes per request", digits: 0, cost: true },
    console: { header: "bytes/req", digits: 0 },
  }),
  view(TCP_SEGMENTS, {
    metric: { id: "tcpSegmentsPerRequest", label: "TCP segments/req", phrase: "the TCP segments per request", digits: 3, cost: true },
  }),
  view(NET_SOFTIRQS, {
    metric: { id: "softirqsPerRequest", label: "NET softirqs/req", phrase: "the NET_RX + NET_TX softirq runs per request", digits: 2, cost: true },
    console: { header: "softirq/req", digits: 2 },
  }),
  view(CONTEXT_SWITCHES.children.server, {
    metric: { id: "contextSwitchesServerPerRequest", label: "ctx switches/req server", phrase: "the server's context switches per request", digits: 2, cost: true },
  }),
  view(CONTEXT_SWITCHES.children.generator, {
    metric: { id: "contextSwitchesClientPerRequest", label: "ctx switches/req client", phrase: "the client's context switches per request", digits: 2, cost: true },
  }),
  view(SERVER_CPU, {
    metric: { id: "cpuServerUsPerRequest", label: "CPU µs/req server", phrase: "the server CPU per request", digits: 1, cost: true },
    console: { header: "µs/req srv", digits: 1 },
  }),
  view(CLIENT_CPU, {
    metric: { id: "cpuClientUsPerRequest", label: "CPU µs/req client", phrase: "the client CPU per request", digits: 1, cost: true },
    console: { header: "cli", digits: 1 },
  }),
  view(KERNEL_CPU, {
    metric: { id: "cpuKernelUsPerRequest", label: "CPU µs/req kernel", phrase: "the softirq + irq CPU per request", digits: 1, cost: true },
    console: { header: "kernel", digits: 1, errorPct: tickKernelErrorPct },
  }),
];

/** The ids of the metrics the views give. */
export type FigureMetricId = NonNullable<(typeof FIGURE_VIEWS)[number]["metric"]>["id"];
