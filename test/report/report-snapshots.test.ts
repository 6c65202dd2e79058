import { describe, expect, it } from "vitest";
import { toCsv, CSV_COLUMNS } from "../../bench/report/csv.ts";
import { toMarkdown } from "../../bench/report/markdown.ts";
import { toHtml } from "../../bench/report/html.ts";
import { renderCharts } from "../../bench/report/render-charts.ts";
import { CHART_IDS } from "../../bench/report/doc.ts";
import { errored, loadFixture, run } from "./make-result.ts";

const result = loadFixture();

describe("report renderers on the frozen six-protocol fixture", () => {
  it("pin report.md", async () => {
    const md = toMarkdown(result, { baselineProtocol: "http1", charts: [] });
    await expect(md).toMatchFileSnapshot("./__snapshots__/six-protocols-repeat2.report.md");
  });

  it("pin report.csv", async () => {
    await expect(toCsv(result)).toMatchFileSnapshot("./__snapshots__/six-protocols-repeat2.report.csv");
  });

  it("write one CSV row per scenario with the documented columns in order", () => {
    const lines = toCsv(result).trimEnd().split("\n");
    expect(lines[0]).toBe(CSV_COLUMNS.map((c) => c.name).join(","));
    expect(lines).toHaveLength(1 + result.scenarios.length);
    // A contaminated window's system-wide cells are empty; its own figures stay.
    const h2c = lines.find((l) => l.includes(",h2c#1,")) ?? "";
    const cell = (name: string) => h2c.split(",")[CSV_COLUMNS.findIndex((c) => c.name === name)];
    expect(cell("contaminated")).toBe("true");
    expect(cell("net_rx_softirqs_per_req")).toBe("");
    expect(cell("packets_per_req")).toBe("2.084");
  });

  it("put no absolute path of the machine that made the report into report.md", () => {
    const md = toMarkdown(result, { baselineProtocol: "http1", charts: [] });
    expect(md).not.toMatch(/\/tmp\/|\/run\/wirecost|\/home\//);
    expect(md).not.toContain(result.config.outDir);
  });

  it("state factors against another baseline protocol when asked", () => {
    const md = toMarkdown(result, { baselineProtocol: "grpc", charts: [] });
    expect(md).toContain("## Relative to grpc");
    expect(md).toMatch(/\*\*http1\*\* used 0\.\d\d ± 0\.\d\d× the packets per request of grpc/);
  });

  it("render every chart to SVG, byte-identical on a second render, and inline them in a self-contained HTML file", async () => {
    const first = await renderCharts(result);
    const second = await renderCharts(result);
    // The fixture measured kernel time by the tick method: the eBPF attribution chart has no rows and is not drawn.
    expect(first.charts.map((c) => c.id)).toEqual(CHART_IDS.filter((id) => id !== "cpu-attribution"));
    expect(first.warnings).toEqual([]);
    for (const [i, chart] of first.charts.entries()) {
      expect(chart.svg.startsWith("<svg")).toBe(true);
      expect(chart.svg).toBe(second.charts[i]?.svg);
    }
    const html = toHtml(result, { baselineProtocol: "http1", charts: first.charts });
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
    // The only URLs are the SVG and XLink namespace names, which are identifiers, never fetched.
    const urls = new Set(html.match(/https?:\/\/[^"' )]+/g));
    expect([...urls].sort()).toEqual(["http://www.w3.org/1999/xlink", "http://www.w3.org/2000/svg"]);
    expect(html.match(/<figure id=/g)).toHaveLength(CHART_IDS.length - 1);
  });

  it("report a run whose every scenario errored, saying why, with no chart drawn", async () => {
    const failed = run([errored("http1", 1), errored("grpc", 1)]);
    const { charts } = await renderCharts(failed);
    expect(charts).toEqual([]);
    const md = toMarkdown(failed, { baselineProtocol: "http1", charts });
    expect(md).toContain("**http1#1 errored**: server exited before printing its port.");
    expect(md.match(/nothing to chart/g)).toHaveLength(CHART_IDS.length);
    expect(toCsv(failed).trimEnd().split("\n")).toHaveLength(3);
  });
});
