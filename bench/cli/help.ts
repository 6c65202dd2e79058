/**
 * `npm run bench -- --help`, written from the option table: each option's usage and explanation, in table order;
 * the options of a group (the sweep, the server settings) share one entry.
 */
import type { HelpGroup, Option } from "../config/option-types.ts";
import { OPTIONS } from "../config/options.ts";
import { formatDurationMs } from "../support/duration.ts";

/** Usages this short share a line with their text, which starts at column 2 + GUTTER. */
const GUTTER = 23;
/** Longer usages wrap at this width; their text follows on the last usage line when it fits. */
const WIDTH = 100;
const INDENT = "  ";

const HEADER = `wirecost — what one request costs over HTTP/1.1, HTTP/2 and gRPC

usage: npm run bench -- [flags]

`;

/** The default as a user would type it: `8s`, `30m`, `10ms`, `1000`, `grpc-js`. */
export function formatDefault(o: Option): string {
  switch (o.kind) {
    case "integer":
    case "number":
      if (o.default !== null) return String(o.default);
      break;
    case "duration": {
      const ms = o.unit === "us" ? o.default / 1000 : o.default;
      return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000}m` : formatDurationMs(ms);
    }
    case "choice":
      return o.default;
    case "text":
      if (o.default !== null) return o.default;
      break;
    case "list":
      return o.default.join(",");
    default:
      break;
  }
  throw new Error(`--${o.flag} has no default for its help to show`);
}

function fill(text: string, o: Option): string {
  return text.includes("{default}") ? text.replaceAll("{default}", formatDefault(o)) : text;
}

interface Entry {
  readonly usage: readonly string[];
  readonly text: readonly string[];
}

/** A group's usages joined, wrapped at WIDTH; a wrapped line keeps the joiner's punctuation. */
function wrapUsages(parts: readonly string[], join: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const part of parts) {
    if (line === "") line = part;
    else if (INDENT.length + line.length + join.length + part.length <= WIDTH) line += join + part;
    else {
      lines.push(line + join.trimEnd());
      line = part;
    }
  }
  return [...lines, line];
}

function entries(options: readonly Option[]): Entry[] {
  const out: { group: HelpGroup | undefined; usages: string[]; text: readonly string[] }[] = [];
  for (const o of options) {
    const last = out.at(-1);
    if (o.group !== undefined && last?.group === o.group) last.usages.push(fill(o.usage, o));
    else out.push({ group: o.group, usages: [fill(o.usage, o)], text: o.group?.text ?? (o.help ?? []).map((t) => fill(t, o)) });
  }
  return out.map(({ group, usages, text }) => ({ usage: group === undefined ? usages : wrapUsages(usages, group.join), text }));
}

function render({ usage, text }: Entry): string[] {
  const pad = " ".repeat(INDENT.length + GUTTER);
  const [first, ...rest] = text;
  const only = usage.length === 1 ? (usage[0] ?? "") : undefined;
  if (only !== undefined && only.length < GUTTER) {
    return [`${INDENT}${only.padEnd(GUTTER)}${first ?? ""}`.trimEnd(), ...rest.map((t) => pad + t)];
  }
  const lines = usage.map((u) => INDENT + u);
  const last = lines.pop() ?? "";
  if (first !== undefined && last.length + 3 + first.length <= WIDTH) return [...lines, `${last}   ${first}`, ...rest.map((t) => pad + t)];
  return [...lines, last, ...text.map((t) => pad + t)];
}

export function renderHelp(options: readonly Option[] = OPTIONS): string {
  return HEADER + entries(options).flatMap(render).map((line) => `${line}\n`).join("");
}

export const HELP = renderHelp();
