/**
 * Builds the report's blocks from a result: summary, a sweep's curves and knees, the factors per transport, the
 * cost of TLS, caveats, where it ran, the figures, the charts and the CSV's column list. Pure; Markdown and HTML
 * render the same blocks.
 */
import type { SweepConfig } from "../config/config.ts";
import { ARMS_WITH_STREAMS, assertNever, choosesGrpcClient, clientKindFor, familyOf } from "../../contract/index.ts";
import type { ClientChoice, Protocol } from "../../contract/index.ts";
import type { RunResult } from "../results/schema.ts";
import { caveats } from "./caveats.ts";
import { chartSpecs } from "./chart-specs.ts";
import type { ChartId, ChartSpec } from "./doc.ts";
import { CSV_COLUMNS } from "./csv.ts";
import { SWEEP_CHART_IDS } from "./doc.ts";
import { code, plain } from "../results/markdown-text.ts";
import type { Block, ReportDoc } from "./doc.ts";
import { environmentSection } from "./environment-section.ts";
import { plural } from "../results/format.ts";
import { factorSection, repeatTables } from "./results-section.ts";
import { isCompleted, repeatsOf } from "../results/run-view.ts";
import { runClients } from "../results/series.ts";
import type { Series } from "../results/series.ts";
import { sweepSection } from "./sweep-section.ts";
import { tlsCostSection } from "./tls-cost-section.ts";
import { formatLoad } from "../sweep/plan.ts";
import { atOfferedRate, comparisonStep, skippedOf, sweepConfigOf, sweepOf } from "../results/sweep-view.ts";
import type { ComparisonStep } from "../results/sweep-view.ts";

/** The arms the run has scenarios of, in the config's order, then any only the scenarios name (a hand-edited result). */
function armsOf(result: RunResult): Protocol[] {
  const seen = new Set(result.scenarios.map((s) => s.protocol));
  const ordered = result.config.protocols.filter((p) => seen.has(p));
  return [...ordered, ...[...seen].filter((p) => !ordered.includes(p))];
}

/** How many subjects the run measured: its arms, and each user server (`subject`) apart from the arm it speaks. */
function subjectCount(result: RunResult): number {
  return new Set(result.scenarios.map((s) => s.subject ?? s.protocol)).size;
}

/** The workload's sizes, which a user server's own request (its `servers` entry) did not use. */
function sizesPhrase(result: RunResult): string {
  const c = result.config;
  const own = result.scenarios.some((s) => s.subject !== undefined) ? " (the arms'; a user server got its entry's request)" : "";
  return `${c.requestBytes}-byte requests and ${c.responseBytes}-byte responses${own}`;
}

/**
 * Which client drove the gRPC arms, when the run had any; results from before `--grpc-client` existed say nothing
 * (they all used grpc-js).
 */
function grpcClientPhrase(config: RunResult["config"], protocols: readonly Protocol[]): string {
  const choice: string | undefined = config.grpcClient;
  if (choice === undefined || !protocols.some(choosesGrpcClient)) return "";
  return choice === "lean" ? ", gRPC driven by the lean node:http2 client (not grpc-js)" : ", gRPC driven by grpc-js";
}

/**
 * Who sent the load, when it was h2load (`--driver h2load`); our generator, and results from before the choice
 * existed, say nothing. h2load drives the gRPC arms itself, so no gRPC client is named then.
 */
function loadPhrase(result: RunResult, protocols: readonly Protocol[]): string {
  const driver: string | undefined = result.config.driver;
  if (driver !== "h2load") return clientPhrase(result.config, protocols);
  const driven = result.scenarios.filter(isCompleted).find((s) => s.driver !== undefined);
  const version = driven?.driver === undefined ? "" : ` ${plain(driven.driver.version)}`;
  return `, sent by nghttp2's h2load${version} in place of our generator (latency is service time only)`;
}

function clientsNamed(choice: ClientChoice, config: RunResult["config"], protocols: readonly Protocol[]): string {
  switch (choice) {
    case "wire":
      return "the wire-level clients (clients/wire/)";
    case "library":
      return `the library clients (${[...new Set(protocols.map((p) => clientKindFor(p, config.grpcClient)))].join(", ")})`;
    default:
      return assertNever(choice);
  }
}

/**
 * Which clients drove the arms (`--client`); results from before it existed used the library clients and say only
 * which drove gRPC, as they always did.
 */
function clientPhrase(config: RunResult["config"], protocols: readonly Protocol[]): string {
  const chosen: readonly ClientChoice[] | undefined = config.client;
  if (chosen === undefined) return grpcClientPhrase(config, protocols);
  const [first, ...later] = chosen;
  if (first === undefined) return "";
  const named = (c: ClientChoice): string => clientsNamed(c, config, protocols);
  if (later.length === 0) return `, driven by ${named(first)}`;
  return `, each protocol driven by ${named(first)} and again ${later.map((c) => `as \`arm~${c}\` by ${named(c)}`).join(" and ")}`;
}

/** " × 2 clients" when the run drove every arm with several. */
function clientsFactor(config: RunResult["config"]): string {
  const n = runClients(config).length;
  return n > 1 ? ` × ${plural(n, "client")}` : "";
}

/** Whether the run primed V8 before each baseline; results from before `--prime` existed say nothing. */
function primeSentence(config: RunResult["config"]): string {
  const requests: number | undefined = config.primeRequests;
  if (requests === undefined) return "";
  if (requests > 0 && config.driver === "h2load") {
    return ` Before each scenario's idle baseline, ${requests} closed-loop requests from h2load primed the server, so V8 had compiled its hot path before anything was measured.`;
  }
  return requests > 0
    ? ` Before each scenario's idle baseline, ${requests} closed-loop requests primed both sides, so V8 had compiled their hot paths before anything was measured.`
    : " No priming (`--prime 0`): V8 may have compiled hot paths inside the windows, raising their CPU and latency figures.";
}

/** What `--streams` meant in this run: streams for HTTP/2 and gRPC, messages in flight on a WebSocket. */
function streamsPhrase(protocols: readonly Protocol[], streams: number): string {
  const withStreams = protocols.filter((p) => ARMS_WITH_STREAMS.includes(p));
  const webSocket = withStreams.some((p) => familyOf(p) === "websocket");
  const http2 = withStreams.some((p) => familyOf(p) !== "websocket");
  const parts = [
    ...(http2 ? [`${streams} streams each for HTTP/2 and gRPC`] : []),
    ...(webSocket ? [`${streams} unanswered messages per WebSocket`] : []),
  ];
  return parts.length === 0 ? "" : ` (up to ${parts.join(", ")})`;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

function sweepSummary(result: RunResult, sweep: SweepConfig): string {
  const c = result.config;
  const protocols = armsOf(result);
  const completed = result.scenarios.filter(isCompleted).length;
  const skipped = skippedOf(result).length === 0 ? "" : `, ${skippedOf(result).length} skipped`;
  const streams = streamsPhrase(protocols, c.streams);
  const client = loadPhrase(result, protocols);
  return [
    `Run ${code(result.runId)}, started ${plain(result.startedAt)}, ${result.state}: a load sweep of ${plural(subjectCount(result), "protocol")}${clientsFactor(c)} over ${plural(sweepOf(result)?.rates.length ?? sweep.steps, "offered rate")} × ${plural(repeatsOf(result).length, "repeat")},`,
    `${completed} of ${plural(result.scenarios.length, "scenario")} completed${skipped}.`,
    `${stepsClause(sweep)}, open loop over ${plural(c.connections, "connection")}${streams}${client}, ${sizesPhrase(result)},`,
    `measured for ${seconds(c.durationMs)} after ${seconds(c.warmupMs)} of warm-up; within each step the protocols interleave.${primeSentence(c)}`,
  ].join(" ");
}

/** What each step offered; by pps, also how its request rate was found. */
function stepsClause(sweep: SweepConfig): string {
  if (sweep.by === "rps") return `Each scenario offered its step's rate, ${sweep.from} to ${sweep.to} req/s in ${plain(sweep.spacing)} steps`;
  return `Each scenario offered its step's packet rate at the server interface, ${sweep.from} to ${sweep.to} packets/s in ${plain(sweep.spacing)} steps, at a request rate calibrated for it per scenario (short rounds on the warm connections, the first assuming the packets per request the protocol's previous step measured)`;
}

function summary(result: RunResult): string {
  const c = result.config;
  const sweep = sweepConfigOf(result);
  if (sweepOf(result) !== null && sweep !== null) return sweepSummary(result, sweep);
  const protocols = armsOf(result);
  const completed = result.scenarios.filter(isCompleted).length;
  const streams = streamsPhrase(protocols, c.streams);
  const client = loadPhrase(result, protocols);
  return [
    `Run ${code(result.runId)}, started ${plain(result.startedAt)}, ${result.state}: ${plural(subjectCount(result), "protocol")}${clientsFactor(c)} × ${plural(repeatsOf(result).length, "repeat")},`,
    `${completed} of ${plural(result.scenarios.length, "scenario")} completed.`,
    `Each scenario offered ${c.rps} req/s open loop over ${plural(c.connections, "connection")}${streams}${client}, ${sizesPhrase(result)},`,
    `measured for ${seconds(c.durationMs)} after ${seconds(c.warmupMs)} of warm-up; repeats interleave the protocols.${primeSentence(c)}`,
  ].join(" ");
}

function chartBlock(c: ChartSpec): Block {
  return { kind: "chart", chart: c.id, title: c.title, note: c.note, empty: c.empty === true };
}

const SWEEP_CHARTS: ReadonlySet<ChartId> = new Set(SWEEP_CHART_IDS);
const isSweepChart = (c: ChartSpec): boolean => SWEEP_CHARTS.has(c.id);

/** The per-protocol charts; a sweep's curves against the offered load are in its own section. */
function chartBlocks(charts: readonly ChartSpec[], step: ComparisonStep | null): Block[] {
  const blocks: Block[] = [{ kind: "heading", level: 2, text: "Charts" }];
  if (step !== null) {
    blocks.push({ kind: "paragraph", text: `At ${formatLoad(step.unit, step.offered)}, the step the side-by-side tables use (see Load sweep); the curves against the offered load are in Load sweep.` });
  }
  return [...blocks, ...charts.filter((c) => !isSweepChart(c)).map(chartBlock)];
}

function csvBlocks(): Block[] {
  return [
    { kind: "heading", level: 2, text: "report.csv" },
    {
      kind: "paragraph",
      text: "One row per scenario, columns in this order (new columns are only ever appended). Empty cell: no figure; system-wide figures are empty for contaminated windows.",
    },
    { kind: "table", header: ["column", "meaning"], rows: CSV_COLUMNS.map((c) => [`\`${c.name}\``, c.description]), align: ["left", "left"] },
  ];
}

export interface DocOptions {
  /** The series the factors are relative to: an arm, or `arm~client`. */
  readonly baselineProtocol: Series;
}

/**
 * A sweep adds its own section after the summary, and its side-by-side tables, factors and per-protocol charts
 * are at one offered rate (sweep-view.ts `comparisonStep`), never mixing rates.
 */
export function buildReportDoc(result: RunResult, options: DocOptions): ReportDoc {
  const step = comparisonStep(result);
  const view = step === null ? result : atOfferedRate(result, step.offered);
  const at = step === null ? "" : ` at ${formatLoad(step.unit, step.offered)}`;
  const charts = chartSpecs(result);
  return {
    title: `wirecost report — ${plain(result.runId)}`,
    blocks: [
      { kind: "paragraph", text: summary(result) },
      ...sweepSection(result, charts.filter(isSweepChart).map(chartBlock)),
      ...factorSection(view, options.baselineProtocol, at),
      ...tlsCostSection(view, at),
      { kind: "heading", level: 2, text: "Caveats" },
      { kind: "list", items: caveats(result) },
      ...environmentSection(result),
      ...repeatTables(view, at),
      ...chartBlocks(charts, step),
      ...csvBlocks(),
    ],
  };
}
