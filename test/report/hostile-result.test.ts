import { describe, expect, it } from "vitest";
import { compareRuns } from "../../bench/compare/compare-runs.ts";
import { comparisonToMarkdown } from "../../bench/compare/compare-markdown.ts";
import { planCapacity } from "../../bench/plan/capacity-plan.ts";
import { planToMarkdown } from "../../bench/plan/plan-markdown.ts";
import { CSV_COLUMNS, toCsv } from "../../bench/report/csv.ts";
import { code, inlineParts, plain } from "../../bench/results/markdown-text.ts";
import { toHtml } from "../../bench/report/html.ts";
import { toMarkdown } from "../../bench/report/markdown.ts";
import type { RunResult, ScenarioResult } from "../../bench/results/schema.ts";
import { errored, loadFixture } from "./make-result.ts";

/**
 * The frozen fixture with strings anyone could write into a result.json: HTML, line breaks that would start a
 * heading or a table row, a link, Markdown marks, and CSV cells a spreadsheet would run as formulas.
 */
const NAME = "h1_*x* <script>alert(1)</script> | a |";
const ERROR_SAMPLE = "request timed out\n# heading [link](javascript:x)";
const WARNING = "disk nearly full\n| a | b |";
const KERNEL = "6.18.44-fc-v669 <script>alert(1)</script>\n| a | b |";
const PACKAGE = "[link](javascript:x)";
const RUN_ID = "run`<b>`_1";
const FORMULA = "=cmd|' /C calc'!A0";
const AT_FORMULA = "@SUM(1)";

function hostileRun(): RunResult {
  const base = loadFixture();
  const scenarios = base.scenarios.map((s): ScenarioResult => {
    if (s.state !== "completed") return s;
    const done = s;
    const reasons = (saturationReasons: string[]): ScenarioResult => ({ ...done, generator: { ...done.generator, saturationReasons } });
    switch (s.name) {
      case "http1#1":
        return { ...s, name: NAME, errors: { ...s.errors, timeout: 3 }, errorSamples: { timeout: ERROR_SAMPLE }, generator: { ...s.generator, cpuPct: -15.2 } };
      case "http1-close#1":
        return reasons([FORMULA]);
      case "grpc#1":
        return reasons(["+1+1"]);
      case "grpc#2":
        return reasons(["\t=1"]);
      case "http1#2":
        return { ...errored("http1", 2), name: "-http1#2", error: AT_FORMULA };
      default:
        return s;
    }
  });
  const environment = { ...base.environment, kernel: KERNEL, packages: { ...base.environment.packages, [PACKAGE]: "1 <img src=x>" } };
  return { ...base, runId: RUN_ID, warnings: [WARNING], environment, scenarios };
}

const hostile = hostileRun();

/** Each Markdown table (a run of lines starting with a pipe) as its cells-per-line counts: pipes not escaped. */
function tableWidths(md: string): number[][] {
  const tables: number[][] = [];
  let current: number[] | null = null;
  for (const line of md.split("\n")) {
    if (!line.startsWith("|")) {
      current = null;
      continue;
    }
    if (current === null) tables.push((current = []));
    current.push(line.match(/(?<!\\)\|/g)?.length ?? 0);
  }
  return tables;
}

/** What a Markdown reader takes as text, not code: where raw HTML would be read. */
function outsideCode(md: string): string {
  return md
    .split("\n")
    .flatMap((line) => inlineParts(line).flatMap((p) => (p.kind === "text" ? [p.text] : [])))
    .join("\n");
}

function expectInert(md: string): void {
  expect(md).not.toContain("<script");
  expect(outsideCode(md)).not.toContain("<");
  // No planted line break survives: nothing a result held starts a heading or a table row.
  expect(md.split("\n").filter((line) => line.startsWith("# heading") || line.startsWith("| a | b |"))).toEqual([]);
  for (const widths of tableWidths(md)) expect(new Set(widths).size, `table widths ${widths.join(", ")}`).toBe(1);
}

/** One CSV line's cells, RFC 4180 quotes undone. */
function csvCells(line: string): string[] {
  return [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map(([, cell = ""]) => (cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell));
}

describe("strings from a result stay text in every Markdown writer", () => {
  it("report.md: HTML escaped, marks backslash-escaped, line breaks flattened, table rows whole", () => {
    const md = toMarkdown(hostile, { baselineProtocol: "http1", charts: [] });
    expectInert(md);
    const lines = md.split("\n");
    expect(lines[0]).toBe(String.raw`# wirecost report — run\`&lt;b&gt;\`\_1`);
    expect(lines).toContain(String.raw`- **h1\_\*x\* &lt;script&gt;alert(1)&lt;/script&gt; | a |: 3 request errors** (timeout: request timed out # heading \[link\](javascript:x)).`);
    expect(lines).toContain("- Run warning: disk nearly full | a | b |");
    expect(lines).toContain("- **-http1#2 errored**: @SUM(1). It is missing from every table and factor.");
    expect(lines).toContain(String.raw`| Kernel | Linux 6.18.44-fc-v669 &lt;script&gt;alert(1)&lt;/script&gt; \| a \| b \|; IRQ time accounting off |`);
    expect(lines.find((l) => l.startsWith("| Packages |"))).toContain(String.raw`, \[link\](javascript:x) 1 &lt;img src=x&gt;; wirecost 0.1.0 |`);
    // The run id is data in a code span: a fence longer than its backticks keeps it one span, shown as it is.
    expect(lines.find((l) => l.startsWith("Run "))?.startsWith("Run ``run`<b>`_1``, started 2026-11-25T09:50:25.124Z, finished:")).toBe(true);
  });

  it("report.html reads the same text: the escapes resolved, the HTML escaped", () => {
    const html = toHtml(hostile, { baselineProtocol: "http1", charts: [] });
    expect(html).not.toContain("<script");
    expect(html).toContain(
      "<li><strong>h1_&#42;x&#42; &lt;script&gt;alert(1)&lt;/script&gt; | a |: 3 request errors</strong> (timeout: request timed out\n# heading [link](javascript:x)).</li>",
    );
    expect(html).toContain("<title>wirecost report — run`&lt;b&gt;`_1</title>");
    expect(html).toContain("<p>Run <code>run`&lt;b&gt;`_1</code>, started 2026-11-25T09:50:25.124Z, finished:");
  });

  it("the comparison: run ids and differences", () => {
    const md = comparisonToMarkdown(compareRuns(loadFixture(), hostile));
    expectInert(md);
    const lines = md.split("\n");
    expect(lines[0]).toBe(String.raw`# wirecost compare — 20261125-095024-c6a2 → run\`&lt;b&gt;\`\_1`);
    expect(lines).toContain("Baseline run `20261125-095024-c6a2` (2 repeats) against new run ``run`<b>`_1`` (2 repeats).");
    expect(lines).toContain("- kernel: 6.18.44-fc-v669 → 6.18.44-fc-v669 &lt;script&gt;alert(1)&lt;/script&gt; | a | b |");
    expect(lines).toContain(String.raw`- \[link\](javascript:x): – → 1 &lt;img src=x&gt;`);
  });

  it("the plan: scenario names in table cells", () => {
    const md = planToMarkdown(planCapacity(hostile, { rps: 50_000, targetUtil: 0.7, sloP99Us: null, includeSaturated: false }), hostile);
    expectInert(md);
    const lines = md.split("\n");
    expect(lines.find((l) => l.startsWith("From run "))?.startsWith("From run ``run`<b>`_1`` (500 req/s per scenario).")).toBe(true);
    const name = String.raw`h1\_\*x\* &lt;script&gt;alert(1)&lt;/script&gt; \| a \|`;
    expect(lines.find((l) => l.startsWith("| scenarios used |"))?.startsWith(`| scenarios used | ${name} | `)).toBe(true);
    expect(lines.find((l) => l.startsWith("| best req/s per server core seen"))).toContain(`(${name}, p99 `);
  });
});

describe("report.csv writes a text cell that would start a formula as text", () => {
  const [header = [], ...rows] = toCsv(hostile).trimEnd().split("\n").map(csvCells);
  const column = (name: string): number => header.indexOf(name);
  const row = (scenario: string): string[] => rows.find((r) => r[column("scenario")] === scenario) ?? [];

  it("prefixes = + - @ and tab with a quote, in the cells they were planted in", () => {
    expect(header).toEqual(CSV_COLUMNS.map((c) => c.name));
    expect(row("http1-close#1")[column("saturation_reasons")]).toBe(`'${FORMULA}`);
    expect(row("grpc#1")[column("saturation_reasons")]).toBe("'+1+1");
    expect(row("grpc#2")[column("saturation_reasons")]).toBe("'\t=1");
    expect(row("'-http1#2")[column("error")]).toBe(`'${AT_FORMULA}`);
    expect(row(NAME)[column("run_id")]).toBe(RUN_ID);
  });

  it("leaves numbers numbers, a negative one too", () => {
    expect(row(NAME)[column("generator_cpu_pct")]).toBe("-15.2");
    // Whatever starts like a formula now is a number the code wrote.
    const risky = rows.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell));
    expect(risky).toEqual(["-15.2"]);
  });
});

describe("data into Markdown text", () => {
  it("escapes the marks of plain text and fences code spans past the data's backticks", () => {
    expect(plain("a\\b*c_d[e]f`g")).toBe("a\\\\b\\*c\\_d\\[e\\]f\\`g");
    expect(code("eth0")).toBe("`eth0`");
    expect(code("a``b")).toBe("```a``b```");
    expect(code("`x")).toBe("`` `x ``");
  });

  it("cuts code spans as CommonMark does, an escaped backtick opening none", () => {
    expect(inlineParts("a ``b`c`` d \\`e` f")).toEqual([
      { kind: "text", text: "a " },
      { kind: "code", raw: "``b`c``", content: "b`c" },
      { kind: "text", text: " d \\`e` f" },
    ]);
    expect(inlineParts("`` `x ``")).toEqual([{ kind: "code", raw: "`` `x ``", content: "`x" }]);
  });
});
