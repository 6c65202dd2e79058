/**
 * One exporter type for every report format (hyperfine's src/export/mod.rs): a file name and a pure function of
 * the result. Charts are rendered once beforehand (vega's toSVG is async) and handed in, so exporters stay
 * synchronous and testable with fixed SVG.
 */
import type { RunResult } from "../results/schema.ts";
import { toCsv } from "./csv.ts";
import type { ExportOptions } from "./doc.ts";
import { toHtml } from "./html.ts";
import { toMarkdown } from "./markdown.ts";


export type Render = (result: RunResult, options: ExportOptions) => string;

export interface Exporter {
  readonly fileName: string;
  readonly render: Render;
}

export const EXPORTERS: readonly Exporter[] = [
  { fileName: "report.md", render: toMarkdown },
  { fileName: "report.csv", render: (result) => toCsv(result) },
  { fileName: "report.html", render: toHtml },
];
