import { describe, expect, it } from "vitest";
import { toMarkdown } from "../../bench/report/markdown.ts";
import type { RunResult } from "../../bench/results/schema.ts";
import { loadFixture } from "./make-result.ts";

function withPrime(primeRequests: number | undefined): RunResult {
  const base = loadFixture();
  const config = { ...base.config } as Record<string, unknown>;
  if (primeRequests === undefined) delete config["primeRequests"];
  else config["primeRequests"] = primeRequests;
  return { ...base, config: config as unknown as RunResult["config"] };
}

const summaryLine = (r: RunResult): string => toMarkdown(r, { baselineProtocol: "http1", charts: [] }).split("\n").find((l) => l.startsWith("Run `")) ?? "";

describe("the report says whether the run primed V8 before measuring", () => {
  it("names the primed request count", () => {
    expect(summaryLine(withPrime(20_000))).toMatch(
      /repeats interleave the protocols\. Before each scenario's idle baseline, 20000 closed-loop requests primed both sides, so V8 had compiled their hot paths before anything was measured\.$/,
    );
  });

  it("warns when priming was turned off, and says nothing for results made before it existed", () => {
    expect(summaryLine(withPrime(0))).toContain("No priming (`--prime 0`): V8 may have compiled hot paths inside the windows");
    expect(summaryLine(withPrime(undefined))).toMatch(/repeats interleave the protocols\.$/);
  });
});
