import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../bench/results/schema.ts";
import { startBench } from "./bench-process.ts";

const out = mkdtempSync(join(tmpdir(), "wirecost-saturation-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function readResult(stderr: string): RunResult {
  const path = /results(?: so far)?: (\S+result\.json)/.exec(stderr)?.[1];
  if (path === undefined) throw new Error(`no results path in stderr:\n${stderr}`);
  return JSON.parse(readFileSync(path, "utf8")) as RunResult;
}

// On loopback: the verdict depends on the generator's schedule, not on where the server runs, so this file needs
// no namespace and runs beside the unit files.
describe("a rate far beyond what one server and one generator core can carry", () => {
  it("is never reported clean: the generator is flagged, or the server is named as the limit", async () => {
    // --kernel-time tick: nothing here is about kernel time (test/collector/ebpf-kernel-time-live.test.ts is), and
    // bpftrace's start and stop would add about 2 s.
    const bench = startBench(["--protocols", "http1", "--rps", "500000", "--duration", "1s", "--warmup", "0s", "--baseline", "0s", "--prime", "0", "--topology", "loopback", "--kernel-time", "tick", "--out", out]);
    const { code } = await bench.exited;
    expect(code).toBe(0);
    const [s] = readResult(bench.stderr()).scenarios;
    if (s?.state !== "completed") throw new Error(`the scenario did not complete: ${bench.stderr()}`);
    // Which one gives out first depends on the machine: the generator's schedule (its lateness beyond the pacing
    // floor), or the server's backlog filling the in-flight cap while the sends still leave on time.
    expect(s.generator.saturated || s.generator.limitedBy === "server").toBe(true);
    expect(s.achievedRps).toBeLessThan(0.99 * 500_000);
    if (s.generator.saturated) {
      expect(bench.stdout()).toMatch(/http1 .*SATURATED/);
      expect(bench.stdout()).toMatch(/http1: saturated: /);
    } else {
      expect(bench.stdout()).toMatch(/http1: limited by the server: achieved [\d.]+ req\/s is [\d.]+% of the offered 500000/);
    }
  });
});
