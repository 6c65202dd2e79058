import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { packetRows } from "../../bench/report/chart-data.ts";
import type { RunResult } from "../../bench/results/schema.ts";

const fixture = JSON.parse(readFileSync(new URL("../fixtures/results/six-protocols-repeat2.json", import.meta.url), "utf8")) as RunResult;

function only(result: RunResult, protocol: string): RunResult {
  return { ...result, config: { ...result.config, protocols: ["http1"] }, scenarios: result.scenarios.filter((s) => s.protocol === protocol) };
}

describe("packets-per-request chart rows", () => {
  it("falls back to unsplit totals for results made before the rx/tx split", () => {
    const rows = packetRows(only(fixture, "http1"));
    expect(rows.map((r) => [r.series, r.part])).toEqual([
      ["interface packets", "rx + tx (no split recorded)"],
      ["TCP segments", "in + out (no split recorded)"],
    ]);
  });

  it("stacks rx/tx packets and in/out segments, averaged over the protocol's completed scenarios", () => {
    const base = only(fixture, "http1");
    const withSplit: RunResult = {
      ...base,
      scenarios: base.scenarios.map((s, i) =>
        s.state !== "completed" || s.perRequest === undefined
          ? s
          : { ...s, perRequest: { ...s.perRequest, direction: { packetsRx: 1 + i, packetsTx: 1, bytesRx: 170, bytesTx: 1400, tcpInSegs: 1, tcpOutSegs: 1.5 } } },
      ),
    };
    expect(packetRows(withSplit).map((r) => [r.series, r.part, r.value])).toEqual([
      ["interface packets", "rx (requests in)", 1.5],
      ["interface packets", "tx (responses out)", 1],
      ["TCP segments", "InSegs", 1],
      ["TCP segments", "OutSegs", 1.5],
    ]);
  });
});
