/**
 * Builds the report's blocks from a result: summary, where it ran, caveats, the figures, the factors, the charts
 * and the CSV's column list. Pure; Markdown and HTML render the same blocks.
 */
import type { Protocol } from "../protocol.ts";
import type { RunResult } from "../result.ts";
import { caveats } from "./caveats.ts";
import { chartSpecs } from "./chart-specs.ts";
import { CSV_COLUMNS } from "./csv.ts";
import type { Block, ReportDoc } from "./doc.ts";
import { environmentSection } from "./environment-section.ts";
import { plural } from "./format.ts";
import { factorSection, repeatTables } from "./results-section.ts";
import { isCompleted, protocolsOf, repeatsOf } from "./run-view.ts";

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

function summary(result: RunResult): string {
  const c = result.config;
  const protocols = protocolsOf(result);
  const completed = result.scenarios.filter(isCompleted).length;
  const streams = protocols.some((p) => p !== "http1" && p !== "http1-close") ? ` (up to ${c.streams} streams each for HTTP/2 and gRPC)` : "";
  return [
    `Run \`${result.runId}\`, started ${result.startedAt}, ${result.state}: ${plural(protocols.length, "protocol")} × ${plural(repeatsOf(result).length, "repeat")},`,
    `${completed} of ${plural(result.scenarios.length, "scenario")} completed.`,
    `Each scenario offered ${c.rps} req/s open loop over ${plural(c.connections, "connection")}${streams}, ${c.requestBytes}-byte requests and ${c.responseBytes}-byte responses,`,
    `measured for ${seconds(c.durationMs)} after ${seconds(c.warmupMs)} of warm-up; repeats interleave the protocols.`,
  ].join(" ");
}

function chartBlocks(result: RunResult): Block[] {
  return [
    { kind: "heading", level: 2, text: "Charts" },
    ...chartSpecs(result).map((c): Block => ({ kind: "chart", chart: c.id, title: c.title, note: c.note, empty: c.empty === true })),
  ];
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
  readonly baselineProtocol: Protocol;
}

export function buildReportDoc(result: RunResult, options: DocOptions): ReportDoc {
  return {
    title: `wirecost report — ${result.runId}`,
    blocks: [
      { kind: "paragraph", text: summary(result) },
      ...factorSection(result, options.baselineProtocol),
      { kind: "heading", level: 2, text: "Caveats" },
      { kind: "list", items: caveats(result) },
      ...environmentSection(result),
      ...repeatTables(result),
      ...chartBlocks(result),
      ...csvBlocks(),
    ],
  };
}
