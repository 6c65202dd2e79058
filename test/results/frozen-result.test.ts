/**
 * The same inputs must give the same result.json, whatever the code's layout. The fixture holds what the collector
 * and the generator handed over in a real two-scenario run (http1 and grpc, netns, --verify): both edge snapshots,
 * the idle baseline, the time series' samples, tcpdump's count and the generator's report; and the result.json that
 * run wrote. Every kernel figure of that file is computed again here from those inputs and compared whole.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { kernelFigures } from "../../bench/run/measure.ts";
import { frozenInputs } from "./frozen-inputs.ts";
import type { CompletedScenario, RunResult } from "../../bench/results/schema.ts";
import { renderNotes, renderTable } from "../../bench/report/table.ts";
import { toCsv } from "../../bench/report/csv.ts";

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/frozen/${name}`, import.meta.url), "utf8");
const result = JSON.parse(fixture("result.json")) as RunResult;
const KERNEL_FIELDS = ["perRequest", "totals", "baseline", "contamination", "softnet", "timeSeries", "cpus", "collector", "verify", "kernelTime"] as const;

describe.each(result.scenarios.map((s) => [s.protocol, s] as const))("the frozen %s scenario", (protocol, scenario) => {
  const { inputs, report } = frozenInputs(protocol);
  const completed = scenario as CompletedScenario;

  it("gets every kernel figure of its result.json again from the same snapshots", () => {
    // Through JSON, as result.json is written: undefined fields vanish, numbers print the same.
    const again = JSON.parse(JSON.stringify(kernelFigures(inputs))) as Record<string, unknown>;
    for (const field of KERNEL_FIELDS) expect({ [field]: again[field] }).toEqual({ [field]: completed[field] });
    expect(Object.keys(again).sort()).toEqual(KERNEL_FIELDS.filter((f) => completed[f] !== undefined).sort());
  });

  it("holds the generator's report unchanged", () => {
    const { offeredRps: _offered, ...rest } = report;
    for (const [key, value] of Object.entries(rest)) expect({ [key]: completed[key as keyof CompletedScenario] }).toEqual({ [key]: value });
  });
});

describe("the frozen run's outputs", () => {
  it("print the same console table and notes", async () => {
    await expect(renderTable(result.scenarios, { color: false }) + renderNotes(result.scenarios)).toMatchFileSnapshot(
      "./__snapshots__/frozen.table.txt",
    );
  });

  it("write the same report.csv", async () => {
    await expect(toCsv(result)).toMatchFileSnapshot("./__snapshots__/frozen.report.csv");
  });
});
