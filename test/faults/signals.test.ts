import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../bench/results/schema.ts";
import { checkTopologySupport } from "../../bench/topology/index.ts";
import { eventually, isAlive, startBench, wirecostNamespaces } from "./bench-process.ts";

const netns = (await checkTopologySupport("netns")).ok;
const topology = netns ? "netns" : "loopback";
const out = mkdtempSync(join(tmpdir(), "wirecost-faults-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// A short priming keeps the phase without its seconds (what priming does is bench-loopback-run.test.ts's to check);
// a signal or a kill lands within milliseconds of the phase line it waits for, so a 1 s window leaves ample room.
const ARGS = ["--protocols", "http1,h2c", "--rps", "200", "--duration", "1s", "--warmup", "500ms", "--baseline", "300ms", "--prime", "100", "--topology", topology, "--out", out];
// The tick method in every case but the forced exit, which keeps the default so that it is tried with the eBPF tracer
// running where this machine has it: starting and stopping bpftrace costs about 2 s a run (~1 s to attach its probes,
// ~1 s to detach them, even on SIGKILL). crashes.test.ts checks that the tracer dies with a killed harness.
const TICK = ["--kernel-time", "tick"];

function readResult(stderr: string): RunResult {
  const path = /results(?: so far)?: (\S+result\.json)/.exec(stderr)?.[1];
  if (path === undefined) throw new Error(`no results path in stderr:\n${stderr}`);
  return JSON.parse(readFileSync(path, "utf8")) as RunResult;
}

function pids(stderr: string): number[] {
  return [...stderr.matchAll(/(?:server|generator) pid (\d+)/g)].map((m) => Number(m[1]));
}

describe(`signals at every phase (topology ${topology})`, () => {
  it.each([
    ["SIGINT", "start-up", /\[1\/2\] http1: server pid/, 130],
    ["SIGINT", "the idle baseline", /\[1\/2\] http1: generator pid \d+ connected/, 130],
    ["SIGTERM", "warm-up", /\[1\/2\] http1: warm-up/, 143],
    ["SIGHUP", "the measured window", /\[1\/2\] http1: measuring/, 129],
  ] as const)("%s during %s stops the run, removes everything and keeps the result", async (signal, _phase, marker, code) => {
    const before = wirecostNamespaces();
    const bench = startBench([...ARGS, ...TICK]);
    await bench.waitFor(marker);
    bench.child.kill(signal);
    expect((await bench.exited).code).toBe(code);
    const result = readResult(bench.stderr());
    expect(result.state).toBe("interrupted");
    expect(result.scenarios.map((s) => [s.name, s.state])).toEqual([["http1", "aborted"]]);
    expect(wirecostNamespaces()).toEqual(before);
    expect(await eventually(() => pids(bench.stderr()).every((pid) => !isAlive(pid)))).toBe(true);
  });

  it("keeps finished scenarios when interrupted in a later one", async () => {
    const bench = startBench([...ARGS, ...TICK]);
    await bench.waitFor(/\[2\/2\] h2c: measuring/);
    bench.child.kill("SIGINT");
    expect((await bench.exited).code).toBe(130);
    const result = readResult(bench.stderr());
    expect(result.scenarios.map((s) => [s.name, s.state])).toEqual([
      ["http1", "completed"],
      ["h2c", "aborted"],
    ]);
    expect(bench.stderr()).toMatch(/results: \S+result\.json/);
  });

  it("forces the exit on a second SIGINT, and still removes the namespaces", async () => {
    const before = wirecostNamespaces();
    const bench = startBench(ARGS);
    await bench.waitFor(/\[1\/2\] http1: measuring/);
    bench.child.kill("SIGINT");
    bench.child.kill("SIGINT");
    expect((await bench.exited).code).toBe(130);
    expect(wirecostNamespaces()).toEqual(before);
    expect(await eventually(() => pids(bench.stderr()).every((pid) => !isAlive(pid)))).toBe(true);
  });
});
