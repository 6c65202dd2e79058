/**
 * Text in Markdown's inline syntax that renders as text, shared by every writer: report.md and report.html (through
 * the report's doc, report/doc.ts), the comparison and the plan. Anyone can write a result.json, so its strings are
 * data: they enter the text through `plain` or `code`, which the code's own marks (code spans, **strong**) never do.
 * markdownInline is the rest, over all of a writer's text, since result.json is checked only in part (load-run.ts)
 * and a field typed as a number may hold a string: outside code spans no `<`, `>` or `&` is left to start HTML, an
 * autolink or an entity, no `[` or `]` a link or an image, and no line break anywhere to start a new block (a
 * heading, a list item, a table row). Code spans stay as written: nothing inside one is markup.
 */

/** What could turn data into a mark: the backslash itself, code spans, emphasis, links and images. */
const MARK_CHARACTERS = /[\\`*_[\]]/g;

const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * A string from a result as text: each character that could start a mark is backslash-escaped, so it reads as
 * itself. String(): a hand-edited result may hold anything where the schema says string.
 */
export function plain(data: string): string {
  return String(data).replace(MARK_CHARACTERS, "\\$&");
}

/**
 * A string from a result as a code span, where nothing is markup and a backslash is itself: the fence is one
 * backtick longer than the longest run in the data (CommonMark closes a span at the first run of its fence's
 * length), padded with a space when the data starts or ends with a backtick or a space (one is stripped again).
 */
export function code(data: string): string {
  const text = String(data);
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(text) ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Text cut into code spans and the text between them; `raw` is the span as written, `content` what it shows. */
export type InlinePart = { readonly kind: "text"; readonly text: string } | { readonly kind: "code"; readonly raw: string; readonly content: string };

/**
 * Cuts text as CommonMark does: a run of n backticks opens a code span that the next run of exactly n closes, or
 * is literal when none does; outside a span a backslash makes the next character literal, backticks included.
 * Every writer cuts here (markdownInline, report.html), so they agree with each other and with a Markdown reader
 * on what is code.
 */
export function inlineParts(text: string): InlinePart[] {
  const parts: InlinePart[] = [];
  let textStart = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") {
      i += 2;
      continue;
    }
    if (c !== "`") {
      i += 1;
      continue;
    }
    const fence = backtickRun(text, i);
    const close = closingRun(text, i + fence, fence);
    if (close === -1) {
      i += fence;
      continue;
    }
    if (i > textStart) parts.push({ kind: "text", text: text.slice(textStart, i) });
    parts.push({ kind: "code", raw: text.slice(i, close + fence), content: spanContent(text.slice(i + fence, close)) });
    i = close + fence;
    textStart = i;
  }
  if (textStart < text.length) parts.push({ kind: "text", text: text.slice(textStart) });
  return parts;
}

function backtickRun(text: string, at: number): number {
  let end = at;
  while (text[end] === "`") end += 1;
  return end - at;
}

/** Where the first run of exactly `length` backticks from `from` starts; -1 if there is none. */
function closingRun(text: string, from: number, length: number): number {
  const runs = /`+/g;
  runs.lastIndex = from;
  for (let m = runs.exec(text); m !== null; m = runs.exec(text)) if (m[0].length === length) return m.index;
  return -1;
}

/** A span's content as CommonMark shows it: line ends as spaces, one space stripped from each end when both have one. */
function spanContent(inner: string): string {
  const flat = inner.replace(LINE_BREAK, " ");
  return flat.length >= 2 && flat.startsWith(" ") && flat.endsWith(" ") && flat.trim() !== "" ? flat.slice(1, -1) : flat;
}

/** A backslash escape, kept (plain's, or the code's own), or a character to make inert. */
const ACTIVE = /\\[\s\S]|[&<>[\]]/g;

const INERT: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]" };

/** Text for a Markdown line: a heading's, a paragraph's, a list item's. */
export function markdownInline(text: string): string {
  return inlineParts(text.replace(LINE_BREAK, " "))
    .map((p) => (p.kind === "code" ? p.raw : p.text.replace(ACTIVE, (m) => INERT[m] ?? m)))
    .join("");
}

/** A table cell: also no pipe that ends the cell early. GFM reads `\|` as a pipe in the cell, code spans included. */
export function markdownCell(text: string): string {
  return markdownInline(text).replaceAll("|", "\\|");
}
