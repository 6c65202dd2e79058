/**
 * A run with `--client wire,library`: each arm twice, the library client's scenarios named arm~library, and every
 * reader (tables, factors, CSV, charts, sweep, plan, compare) keeping the two apart.
 */
import { describe, expect, it } from "vitest";
import { compareRuns } from "../../bench/compare/compare-runs.ts";
import { planCapacity } from "../../bench/plan/capacity-plan.ts";
import { CSV_COLUMNS, toCsv } from "../../bench/report/csv.ts";
import { packetRows } from "../../bench/report/chart-data.ts";
import { toMarkdown } from "../../bench/report/markdown.ts";
import { metric } from "../../bench/results/metrics.ts";
import { relativeFactors, scenarioAt, seriesIn } from "../../bench/results/run-view.ts";
import type { RunResult, ScenarioResult } from "../../bench/results/schema.ts";
import { seriesOf } from "../../bench/results/series.ts";
import { summarizeSweep } from "../../bench/results/sweep-summary.ts";
import { kneeOf } from "../../bench/results/sweep-view.ts";
import { clientKindFor } from "../../contract/index.ts";
import { loadSweepFixture, run, scenario } from "./make-result.ts";

/** `s` driven by the wire client, and again by its arm's library client under a later --client. */
function byBoth(s: ScenarioResult): ScenarioResult[] {
  const library = { ...s, name: s.name.replace(s.protocol, `${s.protocol}~library`), client: clientKindFor(s.protocol, "grpc-js") };
  return [{ ...s, client: "wire" }, library];
}

/** http1 and h2c over two repeats; the library clients cost the client 4× the wire clients' CPU, the server the same. */
function twoClientRun(): RunResult {
  const scenarios = [1, 2].flatMap((repeat) =>
    (["http1", "h2c"] as const).flatMap((protocol) => {
      const [wire, library] = byBoth(scenario({ protocol, repeat, clientRun: 20 })) as [ScenarioResult, ScenarioResult];
      const costlier = scenario({ protocol, repeat, clientRun: 80 });
      return [wire, { ...costlier, name: library.name, client: library.client }];
    }),
  );
  const base = run(scenarios);
  return { ...base, config: { ...base.config, client: ["wire", "library"] } };
}

describe("a run with --client wire,library", () => {
  const result = twoClientRun();

  it("has a series per arm and client, the library's named arm~library, each scenario in its own", () => {
    expect(seriesIn(result)).toEqual(["http1", "http1~library", "h2c", "h2c~library"]);
    expect(result.scenarios.map((s) => `${s.name} ${seriesOf(result, s)}`)).toEqual([
      "http1#1 http1", "http1~library#1 http1~library", "h2c#1 h2c", "h2c~library#1 h2c~library",
      "http1#2 http1", "http1~library#2 http1~library", "h2c#2 h2c", "h2c~library#2 h2c~library",
    ]);
    expect(scenarioAt(result, "h2c~library", 2)?.client).toBe("node-http2");
  });

  it("sets the series side by side, with a client row, and factors the library clients against the baseline", () => {
    const md = toMarkdown(result, { baselineProtocol: "http1", charts: [] });
    expect(md).toContain("|  | http1 | http1~library | h2c | h2c~library |\n| :--- | ---: | ---: | ---: | ---: |\n| client | wire | undici | wire | node-http2 |\n");
    expect(md).toContain("2 protocols × 2 clients × 2 repeats");
    expect(md).toContain(", each protocol driven by the wire-level clients (clients/wire/) and again as `arm~library` by the library clients (undici, node-http2),");
    const client = relativeFactors(result, "http1").find((r) => r.metric === metric("cpuClientUsPerRequest").id);
    expect(Object.fromEntries([...(client?.factors ?? [])].map(([series, f]) => [series, f?.mean]))).toEqual({ "http1~library": 4, h2c: 1, "h2c~library": 4 });
  });

  it("takes a later client's series as the baseline", () => {
    const md = toMarkdown(result, { baselineProtocol: "h2c~library", charts: [] });
    expect(md).toContain("## Relative to h2c~library");
    const client = relativeFactors(result, "h2c~library").find((r) => r.metric === "cpuClientUsPerRequest");
    expect(client?.factors.get("h2c")?.mean).toBe(0.25);
  });

  it("writes each scenario's client in report.csv's column 46", () => {
    expect(CSV_COLUMNS.findIndex((c) => c.name === "client")).toBe(45);
    const rows = toCsv(result).trimEnd().split("\n").slice(1);
    expect(rows.map((r) => r.split(",")[45])).toEqual(["wire", "undici", "wire", "node-http2", "wire", "undici", "wire", "node-http2"]);
  });

  it("draws a bar group per series", () => {
    expect([...new Set(packetRows(result).map((r) => r.protocol))]).toEqual(["http1", "http1~library", "h2c", "h2c~library"]);
  });

  it("plans each series on its own", () => {
    const plan = planCapacity(result, { rps: 10_000, targetUtil: 0.5, sloP99Us: null, includeSaturated: false });
    expect(plan.protocols.map((p) => [p.protocol, p.scenarios])).toEqual([
      ["http1", ["http1#1", "http1#2"]],
      ["http1~library", ["http1~library#1", "http1~library#2"]],
      ["h2c", ["h2c#1", "h2c#2"]],
      ["h2c~library", ["h2c~library#1", "h2c~library#2"]],
    ]);
    expect(plan.protocols.map((p) => p.clientCpuUsPerRequest)).toEqual([20, 80, 20, 80]);
  });

  it("finds a knee per series in a sweep, and tables each series' steps", () => {
    const base = loadSweepFixture();
    const scenarios = base.scenarios.flatMap(byBoth);
    const config = { ...base.config, client: ["wire", "library"] as const };
    const sweepConfig = base.config.sweep;
    if (sweepConfig === null) throw new Error("the sweep fixture has no sweep");
    const sweep = summarizeSweep(sweepConfig, base.config.sloP99Us, scenarios, (s) => seriesOf({ config }, s));
    const both: RunResult = { ...base, config, scenarios, sweep };
    expect(Object.keys(sweep.protocols)).toEqual(["http1", "http1~library", "h2c", "h2c~library", "grpc", "grpc~library"]);
    for (const p of ["http1", "h2c", "grpc"]) expect(kneeOf(both, `${p}~library`)).toEqual(kneeOf(base, p));
    const md = toMarkdown(both, { baselineProtocol: "http1", charts: [] });
    expect(md).toContain("### h2c~library\n");
    expect(md).toContain("- **grpc~library**: ");
  });
});

describe("compare across clients", () => {
  it("lists every series whose client changed among the runs' differences", () => {
    const library = run([scenario({ protocol: "http1", repeat: 1 }), scenario({ protocol: "grpc", repeat: 1 })]);
    const wire = { ...library, config: { ...library.config, client: ["wire"] as const }, scenarios: library.scenarios.map((s) => ({ ...s, client: "wire" as const })) };
    expect(compareRuns(library, wire).differences).toEqual(["client of http1: undici → wire", "client of grpc: grpc-js → wire"]);
    expect(compareRuns(wire, wire).differences).toEqual([]);
  });
});
