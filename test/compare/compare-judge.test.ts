import { describe, expect, it } from "vitest";
import { compareRuns, judge } from "../../bench/compare/compare-runs.ts";
import type { Spread } from "../../bench/results/stats.ts";
import { run, scenario } from "../report/make-result.ts";
import { userServerEntry } from "../support/user-server-entry.ts";

const spread = (mean: number, sd: number | null, n = 2): Spread => ({ n, mean, sd, min: mean, max: mean });

describe("compare: when a change exceeds the noise", () => {
  it("flags a change whose interval excludes 1 and which exceeds both runs' spreads", () => {
    // 120/100 = 1.2 ± √((2/100)² + (120·1/100²)²) = 1.2 ± 0.0233: excludes 1; 20% > 1%, 1%, 1.7%.
    const j = judge(spread(100, 1), spread(120, 2), 0.01);
    expect(j.factor).toBeCloseTo(1.2, 12);
    expect(j.uncertainty).toBeCloseTo(Math.sqrt(0.02 ** 2 + 0.012 ** 2), 12);
    expect(j.verdict).toBe("higher");
    expect(judge(spread(100, 1), spread(80, 1), 0.01).verdict).toBe("lower");
  });

  it("calls it noise when the interval reaches 1", () => {
    // 105/100 ± √(0.1² + 0.105²) ≈ ± 0.145.
    expect(judge(spread(100, 10), spread(105, 10), 0.01).verdict).toBe("within noise");
  });

  it("calls it noise when the change is tight but smaller than a run's own relative spread or the threshold", () => {
    // 2% change, interval 1.02 ± 0.0014 excludes 1, but the threshold is 5%.
    expect(judge(spread(100, 0.1), spread(102, 0.1), 0.05).verdict).toBe("within noise");
    expect(judge(spread(100, 0.1), spread(102, 0.1), 0.01).verdict).toBe("higher");
  });

  it("does not judge without a spread on both sides, or without figures", () => {
    expect(judge(spread(100, null, 1), spread(150, 1), 0.01).verdict).toBe("no spread");
    expect(judge(null, spread(150, 1), 0.01).verdict).toBe("missing");
    expect(judge(spread(0, 0), spread(1, 0), 0.01).verdict).toBe("missing");
  });

  it("compares per protocol over repeats and lists what differs between the runs", () => {
    const before = run([
      scenario({ protocol: "http1", repeat: 1, serverRun: 100 }),
      scenario({ protocol: "http1", repeat: 2, serverRun: 102 }),
      scenario({ protocol: "grpc", repeat: 1 }),
    ]);
    const after = run(
      [scenario({ protocol: "http1", repeat: 1, serverRun: 150 }), scenario({ protocol: "http1", repeat: 2, serverRun: 154 }), scenario({ protocol: "h2c", repeat: 1 })],
      { rps: 1000 },
    );
    const c = compareRuns(before, after);
    expect(c.protocols.map((p) => p.protocol)).toEqual(["http1"]);
    expect(c.onlyInBefore).toEqual(["grpc"]);
    expect(c.onlyInAfter).toEqual(["h2c"]);
    expect(c.differences).toEqual(["offered req/s: 500 → 1000"]);
    const cpu = c.protocols[0]?.changes.find((ch) => ch.metric === "cpuServerUsPerRequest");
    expect(cpu?.factor).toBeCloseTo(152 / 101, 12);
    expect(cpu?.verdict).toBe("higher");
  });

  it("lists a user server whose entry changed between the runs, by its name", () => {
    const entry = userServerEntry({ name: "py", protocol: "http1", command: ["python3", "-m", "http.server", "{port}"] });
    const mine = (r: ReturnType<typeof run>, e: typeof entry) => ({ ...r, config: { ...r.config, servers: [e] } });
    const base = run([scenario({ protocol: "http1", repeat: 1 })]);
    expect(compareRuns(mine(base, entry), mine(base, entry)).differences).toEqual([]);
    const other = { ...entry, exchange: { ...entry.exchange, path: "/index.html" } };
    expect(compareRuns(mine(base, entry), mine(base, other)).differences).toEqual([
      `server py: {"protocol":"http1","command":["python3","-m","http.server","{port}"],"exchange":{"method":"GET","path":"/","headers":[],"bodyBase64":"","expect":{"status":200,"bodyBytes":null}}} → {"protocol":"http1","command":["python3","-m","http.server","{port}"],"exchange":{"method":"GET","path":"/index.html","headers":[],"bodyBase64":"","expect":{"status":200,"bodyBytes":null}}}`,
    ]);
  });
});
