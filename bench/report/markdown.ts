/**
 * report.md: the report's blocks as GitHub-flavoured Markdown, charts linked as the .svg files written beside it
 * (relative links, so the directory can be moved or committed as a whole).
 */
import type { RunResult } from "../results/schema.ts";
import { chartFileName, columnAlign, EMPTY_CHART_NOTE } from "./doc.ts";
import type { Block, ExportOptions, ReportDoc } from "./doc.ts";
import { buildReportDoc } from "./report-doc.ts";

/** A table cell may not hold a pipe or a line break. */
function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function table(block: Extract<Block, { kind: "table" }>): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(" | ")} |`;
  const rule = block.header.map((_, i) => (columnAlign(block.align, i) === "right" ? "---:" : ":---"));
  return [line(block.header), `| ${rule.join(" | ")} |`, ...block.rows.map(line)].join("\n");
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case "heading":
      return `${"#".repeat(block.level)} ${block.text}`;
    case "paragraph":
      return block.text;
    case "list":
      return block.items.map((item) => `- ${item}`).join("\n");
    case "table":
      return table(block);
    case "chart":
      if (block.empty) return `**${block.title}**: ${EMPTY_CHART_NOTE}`;
      return `![${block.title}](${chartFileName(block.chart)})\n\n${block.note}`;
    default:
      return block satisfies never;
  }
}

export function docToMarkdown(doc: ReportDoc): string {
  const parts = [`# ${doc.title}`, ...doc.blocks.filter((b) => b.kind !== "list" || b.items.length > 0).map(renderBlock)];
  return `${parts.join("\n\n")}\n`;
}

export function toMarkdown(result: RunResult, options: ExportOptions): string {
  return docToMarkdown(buildReportDoc(result, options));
}
