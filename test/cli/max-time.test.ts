/**
 * --max-time bounds every run, not only a sweep: a scenario that could end past it is skipped and said so, and the
 * finished ones stay. Each scenario's bound is its warm-up, window, request timeout, a second and a 60 s margin
 * (bench/run/scenario.ts), here 67.3 s: the first of two starts under a 68 s --max-time; the second, 1.3 s of warm-up and window later at least, would not fit.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../bench/cli/main.ts";
import type { RunResult } from "../../bench/results/schema.ts";

const out = mkdtempSync(join(tmpdir(), "wirecost-max-time-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("--max-time", () => {
  it("skips the scenario of a plain run that could end past it, keeping the finished one", async () => {
    const stderr: string[] = [];
    const code = await main(
      ["--protocols", "http1,h2c", "--rps", "200", "--duration", "1s", "--warmup", "300ms", "--baseline", "0s", "--prime", "0", "--max-time", "68s", "--kernel-time", "tick", "--topology", "loopback", "--out", out, "--json"],
      { stdout: { write: () => true }, stderr: { write: (t: string) => stderr.push(t) }, env: { NO_COLOR: "1" } },
    );
    expect(code, stderr.join("")).toBe(0);
    const path = /results: (.*result\.json)/.exec(stderr.join(""))?.[1] ?? "";
    const result = JSON.parse(readFileSync(path, "utf8")) as RunResult;
    expect(result.scenarios.map((s) => [s.name, s.state])).toEqual([["http1", "completed"]]);
    expect(result.skipped).toEqual([{ name: "h2c", reason: "--max-time 68 s reached" }]);
    expect(stderr.join("")).toContain("[2/2] h2c: skipped, it could run past --max-time");
  });
});
