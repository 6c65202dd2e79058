/**
 * report.md: the report's blocks as GitHub-flavoured Markdown, charts linked as the .svg files written beside it
 * (relative links, so the directory can be moved or committed as a whole). Every text goes through markdownInline
 * (results/markdown-text.ts), so nothing a result holds becomes HTML, a link or a new line.
 */
import type { RunResult } from "../results/schema.ts";
import { chartFileName, columnAlign, EMPTY_CHART_NOTE } from "./doc.ts";
import type { Block, ExportOptions, ReportDoc } from "./doc.ts";
import { markdownCell, markdownInline } from "../results/markdown-text.ts";
import { buildReportDoc } from "./report-doc.ts";

function table(block: Extract<Block, { kind: "table" }>): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(markdownCell).join(" | ")} |`;
  const rule = block.header.map((_, i) => (columnAlign(block.align, i) === "right" ? "---:" : ":---"));
  return [line(block.header), `| ${rule.join(" | ")} |`, ...block.rows.map(line)].join("\n");
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case "heading":
      return `${"#".repeat(block.level)} ${markdownInline(block.text)}`;
    case "paragraph":
      return markdownInline(block.text);
    case "list":
      return block.items.map((item) => `- ${markdownInline(item)}`).join("\n");
    case "table":
      return table(block);
    case "chart":
      if (block.empty) return `**${markdownInline(block.title)}**: ${EMPTY_CHART_NOTE}`;
      return `![${markdownInline(block.title)}](${chartFileName(block.chart)})\n\n${markdownInline(block.note)}`;
    default:
      return block satisfies never;
  }
}

export function docToMarkdown(doc: ReportDoc): string {
  const parts = [`# ${markdownInline(doc.title)}`, ...doc.blocks.filter((b) => b.kind !== "list" || b.items.length > 0).map(renderBlock)];
  return `${parts.join("\n\n")}\n`;
}

export function toMarkdown(result: RunResult, options: ExportOptions): string {
  return docToMarkdown(buildReportDoc(result, options));
}
