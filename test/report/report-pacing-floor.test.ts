import { describe, expect, it } from "vitest";
import { caveats } from "../../bench/report/caveats.ts";
import { toMarkdown } from "../../bench/report/markdown.ts";
import type { CompletedScenario, RunResult } from "../../bench/results/schema.ts";
import { loadFixture } from "./make-result.ts";

/** The fixture's first repeat, judged as a result with a pacing floor is: no scenario saturated, h2c server-limited. */
function withFloors(): RunResult {
  const base = loadFixture();
  const scenarios = base.scenarios.map((s, i) => {
    if (s.state !== "completed") return s;
    const c = s as CompletedScenario;
    const limited = c.protocol === "h2c";
    const generator = {
      ...c.generator,
      saturated: false,
      saturationReasons: [],
      saturationKinds: [],
      pacing: "worker" as const,
      pacingFloorUs: { p50: 40, p99: 150 + 10 * i, p999: 900, samples: 200, cpuUsPerSend: 60 },
      limitedBy: limited ? ("server" as const) : null,
      limitReasons: limited ? ["achieved 450 req/s is 90% of the offered 500 (< 99%) while the sends left on time: the server did not keep up"] : [],
    };
    return { ...c, achievedRps: limited ? 450 : c.achievedRps, generator };
  });
  return { ...base, scenarios };
}

const markdown = (r: RunResult): string => toMarkdown(r, { baselineProtocol: "http1", charts: [] });

describe("the report of a result with pacing floors", () => {
  it("adds a pacing floor row under each repeat's generator row, and marks a server-limited scenario as such", () => {
    const lines = markdown(withFloors()).split("\n");
    expect(lines.filter((l) => l.startsWith("| generator ") || l.startsWith("| pacing floor p99 "))).toEqual([
      "| generator | ok | ok | ok; server-limited | ok | ok | ok |",
      "| pacing floor p99 | 150 µs (worker) | 160 µs (worker) | 170 µs (worker) | 180 µs (worker) | 190 µs (worker) | 200 µs (worker) |",
      "| generator | ok | ok | ok; server-limited | ok | ok | ok |",
      "| pacing floor p99 | 260 µs (worker) | 210 µs (worker) | 220 µs (worker) | 230 µs (worker) | 240 µs (worker) | 250 µs (worker) |",
    ]);
  });

  it("says in the caveats who limited which scenario, and the range of the floors", () => {
    const said = caveats(withFloors());
    expect(said).toContain(
      "**The server limited 2 of 12 scenarios**: h2c#1 (achieved 450 of 500 req/s), h2c#2 (achieved 450 of 500 req/s). The generator's sends left on time, so the shortfall is the server's: its answers came late or not at all. Their figures are those of the rate the server carried, not the offered one; they are not marked SATURATED, which means the generator fell behind.",
    );
    expect(said).toContain(
      "**Pacing floor**: idle just before each load, the worker pacer woke late by p99 150 µs–260 µs at the scenario's rate. A scenario is marked SATURATED when its send lateness p99 passed its floor's p99 + max(1 ms, that p99); latency from the intended time includes about the floor's p50.",
    );
    expect(said.some((c) => c.startsWith("**The load generator saturated"))).toBe(false);
  });

  it("says nothing of floors for a result written before them", () => {
    expect(markdown(loadFixture())).not.toContain("pacing floor");
    expect(caveats(loadFixture()).some((c) => c.includes("server limited") || c.includes("Pacing floor"))).toBe(false);
  });
});
