import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../bench/compare/cli.ts";
import type { CompletedScenario } from "../../bench/results/schema.ts";
import { FIXTURE_PATH, loadFixture } from "../report/make-result.ts";
import { dirWithResult, expectUsageError, runToolMain } from "../report/run-tool.ts";

const fixture = fileURLToPath(FIXTURE_PATH);
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/**
 * A "new run" made from the fixture by a fixed edit, so the snapshot is deterministic: grpc's packets halved (as if
 * it batched frames), h2c's server CPU 20% lower, a newer grpc-js recorded.
 */
function newRun(): string {
  const run = loadFixture() as unknown as { runId: string; environment: { packages: Record<string, string> }; scenarios: CompletedScenario[] };
  run.runId = "20261202-101500-9f3e";
  run.environment.packages["@grpc/grpc-js"] = "1.15.0";
  for (const s of run.scenarios) {
    const p = s.perRequest as unknown as { packets: number; tcpSegments: number; cpuUs: { serverRun: number } };
    if (s.protocol === "grpc") [p.packets, p.tcpSegments] = [p.packets / 2, p.tcpSegments / 2];
    if (s.protocol === "h2c") p.cpuUs.serverRun *= 0.8;
  }
  const dir = dirWithResult(JSON.stringify(run));
  made.push(dir);
  return dir;
}

async function compare(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, env: {} });
  return { code, out: out.join(""), err: err.join("") };
}

describe("npm run compare on the frozen fixture and an edited copy", () => {
  it("pins the Markdown comparison", async () => {
    const r = await compare([fixture, newRun()]);
    expect(r.code, r.err).toBe(0);
    await expect(r.out).toMatchFileSnapshot("./__snapshots__/six-protocols-repeat2.compare.md");
  });

  it("flags exactly the edited figures as changes beyond the noise", async () => {
    const r = await compare([fixture, newRun(), "--json"]);
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(r.out) as { schema: string; differences: string[]; protocols: { protocol: string; changes: { metric: string; verdict: string; factor: number }[] }[] };
    expect(json.schema).toBe("wirecost.compare/v1");
    expect(json.differences).toEqual(["@grpc/grpc-js: 1.14.7 → 1.15.0"]);
    const flagged = json.protocols.flatMap((p) => p.changes.filter((c) => c.verdict === "higher" || c.verdict === "lower").map((c) => `${p.protocol} ${c.metric} ${c.verdict} ${c.factor.toFixed(2)}`));
    expect(flagged).toEqual(["h2c cpuServerUsPerRequest lower 0.80", "grpc packetsPerRequest lower 0.50", "grpc tcpSegmentsPerRequest lower 0.50"]);
  });

  it("finds no change when a run is compared with itself", async () => {
    const r = await compare([fixture, fixture]);
    expect(r.out).toContain("No change exceeds the noise.");
    expect(r.out).toContain("The runs used the same settings, software and machine type.");
  });
});

describe("npm run compare: bad input", () => {
  const other = dirWithResult(JSON.stringify({ schema: "wirecost.result/v0" }));
  made.push(other);
  it.each([
    [[], "missing <baseline run> <new run>"],
    [[fixture], "missing <new run>"],
    [[fixture, fixture, fixture], "unexpected argument"],
    [["/nonexistent/a", fixture], "baseline run /nonexistent/a: no such directory"],
    [[fixture, "/nonexistent/b"], "new run /nonexistent/b: no such directory"],
    [[fixture, other], 'is not a wirecost.result/v1 or wirecost.result/v2 file (schema: "wirecost.result/v0")'],
    [[fixture, fixture, "--noise-threshold", "2"], "--noise-threshold 2: not a fraction in [0, 1)"],
    [[fixture, fixture, "--jason"], "unknown flag --jason"],
  ])("exits 2 with one line for %j", async (args, expected) => {
    expectUsageError(await runToolMain("compare", args), expected);
  });
});
