import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../bench/plan/cli.ts";
import { FIXTURE_PATH, loadFixture } from "../report/make-result.ts";
import { dirWithResult, expectUsageError, runToolMain } from "../report/run-tool.ts";

const fixture = fileURLToPath(FIXTURE_PATH);
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

async function plan(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, env: {} });
  return { code, out: out.join(""), err: err.join("") };
}

function runWith(edit: (run: { scenarios: ReturnType<typeof loadFixture>["scenarios"] }) => void): string {
  const run = loadFixture();
  edit(run);
  const dir = dirWithResult(JSON.stringify(run));
  made.push(dir);
  return dir;
}

describe("npm run plan on the frozen six-protocol fixture", () => {
  it("pins the Markdown plan for 50 000 req/s at 70% with a 5 ms p99 SLO", async () => {
    const r = await plan([fixture, "--rps", "50000", "--slo-p99", "5ms"]);
    expect(r.code, r.err).toBe(0);
    await expect(r.out).toMatchFileSnapshot("./__snapshots__/six-protocols-repeat2.plan.md");
  });

  it("prints the same plan as JSON with its assumptions", async () => {
    const r = await plan([fixture, "--rps", "50000", "--target-util", "0.5", "--include-saturated", "--json"]);
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(r.out) as { schema: string; cheapest: string; options: { targetUtil: number }; protocols: { protocol: string }[]; assumptions: string[] };
    expect(json.schema).toBe("wirecost.plan/v1");
    expect(json.options.targetUtil).toBe(0.5);
    expect(json.protocols.map((p) => p.protocol)).toEqual(["http1", "http1-close", "h2c", "h2", "grpc", "grpc-stream"]);
    expect(json.assumptions.some((a) => a.includes("--include-saturated"))).toBe(true);
  });
});

describe("npm run plan: bad input and runs it cannot plan from", () => {
  it.each([
    [[], "missing <run dir>"],
    [[fixture], "--rps is required"],
    [[fixture, "--rps", "0"], "--rps 0: not a positive number"],
    [[fixture, "--rps", "-5"], "--rps -5: not a positive number"],
    [[fixture, "--rps", "lots"], "--rps lots: not a positive number"],
    [[fixture, "--rps", "1000", "--target-util", "1.5"], "--target-util 1.5: a core cannot be more than fully busy"],
    [[fixture, "--rps", "1000", "--slo-p99", "fast"], "--slo-p99 fast: not a latency"],
    [[fixture, "--rps", "1000", "--json=yes"], "--json takes no value"],
    [["/nonexistent/run", "--rps", "1000"], "run directory /nonexistent/run: no such directory"],
  ])("exits 2 with one line for %j", async (args, expected) => {
    expectUsageError(await runToolMain("plan", args), expected);
  });

  it("refuses a run whose scenarios all errored", async () => {
    const dir = runWith((run) => {
      run.scenarios = run.scenarios.map((s) => ({ ...s, state: "errored", error: "server exited" }) as unknown as (typeof run.scenarios)[number]);
    });
    expectUsageError(await runToolMain("plan", [dir, "--rps", "1000"]), "no completed scenario (12 errored or aborted)");
  });

  it("refuses a run without per-request kernel figures", async () => {
    const dir = runWith((run) => {
      for (const s of run.scenarios) delete (s as { perRequest?: unknown }).perRequest;
    });
    expectUsageError(await runToolMain("plan", [dir, "--rps", "1000"]), "no completed scenario has per-request kernel figures");
  });

  it("refuses a run whose every scenario saturated the generator, and plans it with --include-saturated", async () => {
    const dir = runWith((run) => {
      for (const s of run.scenarios) if (s.state === "completed") (s.generator as { saturated: boolean }).saturated = true;
    });
    expectUsageError(await runToolMain("plan", [dir, "--rps", "1000"]), "every measured scenario saturated the load generator");
    expect((await plan([dir, "--rps", "1000", "--include-saturated"])).code).toBe(0);
  });
});
