import { describe, expect, it } from "vitest";
import { CSV_COLUMNS, toCsv } from "../../bench/report/csv.ts";
import { CHART_IDS, SWEEP_CHART_IDS } from "../../bench/report/doc.ts";
import { toHtml } from "../../bench/report/html.ts";
import { toMarkdown } from "../../bench/report/markdown.ts";
import { renderCharts } from "../../bench/report/render-charts.ts";
import { loadFixture, loadSweepFixture } from "./make-result.ts";

const result = loadSweepFixture();
const md = toMarkdown(result, { baselineProtocol: "http1", charts: [] });

describe("report renderers on the frozen three-protocol sweep", () => {
  it("pin report.md", async () => {
    await expect(md).toMatchFileSnapshot("./__snapshots__/sweep-three-protocols.report.md");
  });

  it("pin report.csv", async () => {
    await expect(toCsv(result)).toMatchFileSnapshot("./__snapshots__/sweep-three-protocols.report.csv");
  });

  it("name every protocol's knee and saturation point, and say loudly where the generator gave out", () => {
    expect(md).toContain("## Load sweep");
    expect(md).toContain("**http1**: knee at 2620 req/s; past saturation at 6000 req/s");
    expect(md).toContain("**h2c**: knee at 1140 req/s; past saturation at 2620 req/s");
    expect(md).toContain("**grpc**: no step met the SLO; it failed already at the first step, 500 req/s");
    expect(md.match(/\*\*Limited by the generator, not by \w+\*\*/g)).toHaveLength(3);
    expect(md).toContain("No receive-livelock signature");
  });

  it("compare protocols side by side at one rate only, and say which", () => {
    expect(md).toContain("**Side by side at 500 req/s.**");
    expect(md).toContain("## Relative to http1 at 500 req/s");
    expect(md).toContain("## Per request, protocol by protocol at 500 req/s");
    expect(md).toContain("| offered req/s | 500 | 500 | 500 |");
    // One repeat, so one side-by-side table: the other steps are in the sweep tables, not mixed in.
    expect(md.match(/^### Figures$/gm)).toHaveLength(1);
  });

  it("put a step column in the CSV, empty for a single-rate run", () => {
    // Column 45, after the kernel figures' 25–44; `client` (46) and the kernel-time columns came later.
    expect(CSV_COLUMNS.findIndex((c) => c.name === "step")).toBe(44);
    const cells = (text: string, name: string) => text.trimEnd().split("\n").slice(1).map((l) => l.split(",")[CSV_COLUMNS.findIndex((c) => c.name === name)]);
    const csv = toCsv(result);
    expect(cells(csv, "scenario")).toEqual(result.scenarios.map((s) => s.name));
    expect(cells(csv, "step").map((c) => c?.trim())).toEqual(["0", "0", "0", "1", "1", "1", "2", "2", "2", "3", "3", "3"]);
    expect(cells(csv, "offered_rps")).toEqual(["500", "500", "500", "1140", "1140", "1140", "2620", "2620", "2620", "6000", "6000", "6000"]);
    expect(new Set(cells(toCsv(loadFixture()), "step").map((c) => c?.trim()))).toEqual(new Set([""]));
  });

  it("render the sweep charts with no warning, byte-identical twice, inlined in a self-contained HTML file", async () => {
    const first = await renderCharts(result);
    const second = await renderCharts(result);
    // The fixture measured kernel time by the tick method: the eBPF attribution chart has no rows and is not drawn.
    const drawn = CHART_IDS.filter((id) => id !== "cpu-attribution");
    expect(first.charts.map((c) => c.id)).toEqual([...drawn, ...SWEEP_CHART_IDS]);
    expect(first.warnings).toEqual([]);
    for (const [i, chart] of first.charts.entries()) {
      expect(chart.svg.startsWith("<svg")).toBe(true);
      expect(chart.svg).toBe(second.charts[i]?.svg);
    }
    // Each knee is labelled on the throughput chart; grpc has none.
    const throughput = first.charts.find((c) => c.id === "sweep-throughput")?.svg ?? "";
    expect(throughput).toContain("knee ≥ 2620");
    expect(throughput).toContain("knee ≥ 1140");
    expect(first.charts.find((c) => c.id === "sweep-latency-p99")?.svg).toContain("SLO: p99 ≤ 10.00 ms");
    const html = toHtml(result, { baselineProtocol: "http1", charts: first.charts });
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
    expect([...new Set(html.match(/https?:\/\/[^"' )]+/g))].sort()).toEqual(["http://www.w3.org/1999/xlink", "http://www.w3.org/2000/svg"]);
    expect(html.match(/<figure id=/g)).toHaveLength(drawn.length + SWEEP_CHART_IDS.length);
  });

  it("add no sweep chart or section to a single-rate run", async () => {
    const single = loadFixture();
    expect((await renderCharts(single)).charts.map((c) => c.id)).toEqual(CHART_IDS.filter((id) => id !== "cpu-attribution"));
    expect(toMarkdown(single, { baselineProtocol: "http1", charts: [] })).not.toContain("Load sweep");
  });
});
