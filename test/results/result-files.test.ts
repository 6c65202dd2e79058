/**
 * The run's files stay bounded in what the harness builds: result.json is written in pieces, byte for byte what
 * JSON.stringify would write whole, and timeseries.ndjson takes every point as made, stopping at its cap.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { jsonPieces, writeJsonAtomic } from "../../bench/support/atomic-write.ts";
import { createSeriesFile } from "../../bench/results/series-file.ts";

const dir = mkdtempSync(join(tmpdir(), "wirecost-result-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frozen = JSON.parse(readFileSync(new URL("../fixtures/frozen/result.json", import.meta.url), "utf8")) as { scenarios: unknown[] };

describe("result.json written in pieces", () => {
  it("is byte for byte JSON.stringify(result, null, 2) for a real result", () => {
    const path = join(dir, "result.json");
    writeJsonAtomic(path, frozen);
    expect(readFileSync(path, "utf8")).toBe(`${JSON.stringify(frozen, null, 2)}\n`);
  });

  it("matches JSON.stringify at the edges: empty and nested arrays, undefined and null fields, newlines in strings", () => {
    const odd = {
      a: [],
      b: [[1, [2]], {}, null, undefined, "x\ny"],
      c: undefined,
      d: null,
      e: { f: [{ g: "h\n  i" }] },
      at: new Date(0),
      s: [{ t: () => 1, u: 2 }],
    };
    expect([...jsonPieces(odd)].join("")).toBe(`${JSON.stringify(odd, null, 2)}\n`);
    expect([...jsonPieces({})].join("")).toBe(`${JSON.stringify({}, null, 2)}\n`);
  });

  it("builds no piece larger than one scenario as it sits in the file", () => {
    // Each scenario's lines indented by four more spaces, its leading indent and the comma and newline after it.
    const largest = Math.max(...frozen.scenarios.map((s) => JSON.stringify(s, null, 2).replaceAll("\n", "\n    ").length + 6));
    const pieces = [...jsonPieces(frozen)];
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(largest);
    expect(pieces.length).toBeGreaterThan(frozen.scenarios.length);
  });
});

describe("timeseries.ndjson", () => {
  it("writes each point as a line naming its scenario and series, and stops at its cap with a warning", () => {
    const path = join(dir, "timeseries.ndjson");
    const file = createSeriesFile(path, 400);
    const sink = file.forScenario("http1#1");
    sink.proc({ tMs: 100, intervalMs: 100, pps: 20, softirqRate: 4, cpu: null });
    sink.ebpf({ tMs: 101, intervalMs: 101, perCpu: { "0": { softirqPct: 0.5, hardIrqPct: 0 } } });
    for (let i = 0; i < 10; i++) file.forScenario("h2c#1").proc({ tMs: i, intervalMs: 1, pps: 1, softirqRate: 1, cpu: null });
    expect(file.close()).toMatch(/^timeseries\.ndjson: stopped at its cap of 400 bytes, in scenario h2c#1/);
    const text = readFileSync(path, "utf8");
    expect(text.length).toBeLessThanOrEqual(400);
    const lines = text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { scenario: string });
    expect(lines.slice(0, 2)).toEqual([
      { scenario: "http1#1", series: "proc", tMs: 100, intervalMs: 100, pps: 20, softirqRate: 4, cpu: null },
      { scenario: "http1#1", series: "ebpf", tMs: 101, intervalMs: 101, perCpu: { "0": { softirqPct: 0.5, hardIrqPct: 0 } } },
    ]);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.slice(2).every((l) => l.scenario === "h2c#1")).toBe(true);
    expect(file.close()).toMatch(/cap of 400 bytes/);
  });
});
