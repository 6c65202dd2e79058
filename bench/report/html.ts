/**
 * report.html: one self-contained file. The charts are inline SVG (rendered by vega on the server), the style is
 * inline, there is no script, and a Content-Security-Policy of `default-src 'none'` tells the browser to fetch
 * nothing at all — so the file opens offline and cannot leak a request even if a later edit adds a URL.
 */
import type { RunResult } from "../results/schema.ts";
import { inlineParts } from "../results/markdown-text.ts";
import { columnAlign, EMPTY_CHART_NOTE } from "./doc.ts";
import type { Block, ChartId, ExportOptions, RenderedChart, ReportDoc } from "./doc.ts";
import { buildReportDoc } from "./report-doc.ts";

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; color: #1b1b1b; max-width: 1100px; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; } h3 { margin-top: 1.4rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 13px; display: block; overflow-x: auto; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; vertical-align: top; }
th { background: #f5f5f5; } tbody th { text-align: left; font-weight: 600; } td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; }
code { background: #f3f3f3; padding: 0 0.2rem; border-radius: 3px; font-size: 0.92em; }
figure { margin: 1.2rem 0; } figure svg { max-width: 100%; height: auto; } figcaption { color: #555; font-size: 13px; max-width: 760px; }
`;

export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** A star as a character reference: never half of a **strong** mark. */
const STAR = "&#42;";

/** A backslash escape (results/markdown-text.ts: the character itself), or a character HTML would read. */
const HTML_ACTIVE = /\\[!-\/:-@[-`{-~]|[&<>"]/g;

function textHtml(text: string): string {
  return text.replace(HTML_ACTIVE, (m) => (m.length === 1 ? escapeHtml(m) : m[1] === "*" ? STAR : escapeHtml(m.slice(1))));
}

/**
 * Text with the doc's inline marks: code spans cut first (`inlineParts`), everything escaped, then **strong** from
 * the stars left — a result's were escaped by `plain`, so no mark comes from a result and none can inject markup.
 */
function inline(text: string): string {
  return inlineParts(text)
    .map((p) => (p.kind === "code" ? `<code>${escapeHtml(p.content).replaceAll("*", STAR)}</code>` : textHtml(p.text)))
    .join("")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
}

function table(block: Extract<Block, { kind: "table" }>): string {
  const cls = (i: number): string => (columnAlign(block.align, i) === "right" ? ' class="r"' : "");
  const head = block.header.every((h) => h === "") ? "" : `<thead><tr>${block.header.map((h, i) => `<th${cls(i)}>${inline(h)}</th>`).join("")}</tr></thead>`;
  const rows = block.rows.map((row) => `<tr>${row.map((c, i) => (i === 0 ? `<th>${inline(c)}</th>` : `<td${cls(i)}>${inline(c)}</td>`)).join("")}</tr>`);
  return `<table>${head}<tbody>${rows.join("\n")}</tbody></table>`;
}

function renderBlock(block: Block, charts: ReadonlyMap<ChartId, RenderedChart>): string {
  switch (block.kind) {
    case "heading":
      return `<h${block.level}>${inline(block.text)}</h${block.level}>`;
    case "paragraph":
      return `<p>${inline(block.text)}</p>`;
    case "list":
      return block.items.length === 0 ? "" : `<ul>\n${block.items.map((i) => `<li>${inline(i)}</li>`).join("\n")}\n</ul>`;
    case "table":
      return table(block);
    case "chart": {
      if (block.empty) return `<p><strong>${inline(block.title)}</strong>: ${inline(EMPTY_CHART_NOTE)}</p>`;
      const svg = charts.get(block.chart)?.svg ?? `<p><em>chart ${escapeHtml(block.chart)} was not rendered</em></p>`;
      return `<figure id="${block.chart}" data-chart="${block.chart}">\n${svg}\n<figcaption>${inline(block.note)}</figcaption>\n</figure>`;
    }
    default:
      return block satisfies never;
  }
}

export function docToHtml(doc: ReportDoc, charts: readonly RenderedChart[]): string {
  const byId = new Map(charts.map((c) => [c.id, c]));
  const body = doc.blocks.map((b) => renderBlock(b, byId)).filter((s) => s !== "");
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${textHtml(doc.title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    `<h1>${inline(doc.title)}</h1>`,
    ...body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

export function toHtml(result: RunResult, options: ExportOptions): string {
  return docToHtml(buildReportDoc(result, options), options.charts);
}
