import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../bench/report/cli.ts";
import { main as compareMain } from "../../bench/compare/cli.ts";
import { main as planMain } from "../../bench/plan/cli.ts";
import { main as codecMain } from "../../bench/codec/cli.ts";
import { FIXTURE_PATH } from "./make-result.ts";
import { dirWithResult, expectUsageError, runToolMain } from "./run-tool.ts";

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function fixtureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "wirecost-report-cli-"));
  made.push(dir);
  copyFileSync(FIXTURE_PATH, join(dir, "result.json"));
  return dir;
}

describe("npm run report: bad input", () => {
  const notJson = dirWithResult("{ not json");
  const otherSchema = dirWithResult(JSON.stringify({ schema: "someone-else/v3" }));
  const damaged = dirWithResult(JSON.stringify({ schema: "wirecost.result/v1", runId: "x" }));
  made.push(notJson, otherSchema, damaged);

  it.each([
    [[], "missing <run dir>"],
    [["/nonexistent/run"], "run directory /nonexistent/run: no such directory"],
    [["/"], "run directory /: no result.json there"],
    [[notJson], "is not JSON"],
    [[otherSchema], 'is not a wirecost.result/v1 or wirecost.result/v2 file (schema: "someone-else/v3")'],
    [[damaged], "is a damaged wirecost.result/v1 file"],
    [["a", "b"], 'unexpected argument "b"'],
    [["--frobnicate"], "unknown flag --frobnicate"],
    [["x", "--baseline-protocol"], "--baseline-protocol needs a value"],
    // Not an arm, and no user server's name either (those are checked against the run: below).
    [["x", "--baseline-protocol", "QUIC/3"], "--baseline-protocol QUIC/3: unknown protocol"],
    [["x", "--baseline-protocol", "h2c~undici"], "--baseline-protocol h2c~undici: unknown protocol"],
  ])("exits 2 with one line for %j", async (args, expected) => {
    expectUsageError(await runToolMain("report", args), expected);
  });

  it("names the file and the field when a completed scenario lacks one its renderers read, for report, compare and plan", async () => {
    const run = JSON.parse(readFileSync(FIXTURE_PATH, "utf8")) as { scenarios: Record<string, unknown>[] };
    delete run.scenarios[1]!.latencyUs;
    const dir = dirWithResult(JSON.stringify(run));
    made.push(dir);
    const expected = `${join(dir, "result.json")} is a damaged wirecost.result/v1 file (scenarios.1.latencyUs: Invalid input: expected object, received undefined)`;
    expectUsageError(await runToolMain("report", [dir]), expected);
    expectUsageError(await runToolMain("compare", [dir, dir]), expected);
    expectUsageError(await runToolMain("plan", [dir, "--rps", "1000"]), expected);
  });

  it("refuses a baseline protocol the run does not have", async () => {
    const run = JSON.parse(readFileSync(FIXTURE_PATH, "utf8")) as { scenarios: { protocol: string }[] };
    run.scenarios = run.scenarios.filter((s) => s.protocol !== "h2");
    const dir = dirWithResult(JSON.stringify(run));
    made.push(dir);
    expectUsageError(await runToolMain("report", [dir, "--baseline-protocol", "h2"]), "--baseline-protocol h2: not in this run; choose one of");
    // A series of a later --client is a baseline too, when the run has it.
    expectUsageError(await runToolMain("report", [dir, "--baseline-protocol", "h2c~library"]), "--baseline-protocol h2c~library: not in this run; choose one of http1, http1-close, h2c, grpc, grpc-stream");
    // A name that could be a user server's is checked against the run alike.
    expectUsageError(await runToolMain("report", [dir, "--baseline-protocol", "quic"]), "--baseline-protocol quic: not in this run; choose one of http1, http1-close, h2c, grpc, grpc-stream");
  });
});

describe("npm run report on a run directory", () => {
  it("writes report.md, report.csv, report.html and the chart SVGs beside result.json and lists them", async () => {
    const dir = fixtureDir();
    const out: string[] = [];
    const err: string[] = [];
    const code = await main([dir], { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, env: {} });
    expect(code, err.join("")).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files).toEqual([
      "cpu-per-request.svg",
      "latency-percentiles.svg",
      "packets-per-request.svg",
      "report.csv",
      "report.html",
      "report.md",
      "result.json",
      "timeseries-cpu.svg",
      "timeseries-pps.svg",
      "timeseries-softirq.svg",
    ]);
    expect(out.join("").trim().split("\n").sort()).toEqual(files.filter((f) => f !== "result.json").map((f) => join(dir, f)));
    // Every chart report.md links is a file that exists beside it.
    const md = readFileSync(join(dir, "report.md"), "utf8");
    const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(links).toHaveLength(6);
    for (const link of links) expect(files).toContain(link);
    expect(err.join("")).toBe("");
  });

  it("accepts the path of result.json itself and honours --baseline-protocol", async () => {
    const dir = fixtureDir();
    const code = await main([join(dir, "result.json"), "--baseline-protocol", "h2c"], { stdout: { write: () => true }, stderr: { write: () => true }, env: {} });
    expect(code).toBe(0);
    expect(readFileSync(join(dir, "report.md"), "utf8")).toContain("## Relative to h2c");
  });
});

describe("every report-side CLI", () => {
  it.each([
    ["report", main, "usage: npm run report -- <run dir>"],
    ["compare", compareMain, "usage: npm run compare -- <baseline run> <new run>"],
    ["plan", planMain, "usage: npm run plan -- <run dir> --rps N"],
    ["bench:codec", codecMain, "usage: npm run bench:codec --"],
  ] as const)("%s prints its usage on stdout for --help and exits 0", async (_name, entry, usage) => {
    const out: string[] = [];
    const code = await entry(["--help"], { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => true }, env: {} });
    expect(code).toBe(0);
    expect(out.join("")).toContain(usage);
  });
});
