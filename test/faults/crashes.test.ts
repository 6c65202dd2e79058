import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main as cleanup } from "../../bench/cleanup/cli.ts";
import type { RunResult } from "../../bench/results/schema.ts";
import { checkTopologySupport } from "../../bench/topology/index.ts";
import { checkEbpf, systemProbe } from "../../bench/collector/ebpf/availability.ts";
import { hasCommand } from "../../bench/support/tools.ts";
import { eventually, isAlive, startBench, wirecostNamespaces } from "./bench-process.ts";

const netns = (await checkTopologySupport("netns")).ok;
const ebpf = checkEbpf(systemProbe(hasCommand)).ok;
const topology = netns ? "netns" : "loopback";
const out = mkdtempSync(join(tmpdir(), "wirecost-crash-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// A short priming keeps the phase without its seconds (what priming does is bench-loopback-run.test.ts's to check);
// a signal or a kill lands within milliseconds of the phase line it waits for, so a 1 s window leaves ample room.
const ARGS = ["--rps", "200", "--duration", "1s", "--warmup", "500ms", "--baseline", "200ms", "--prime", "100", "--topology", topology, "--out", out];
// The tick method where a case has nothing to say of the eBPF tracer: starting and stopping bpftrace costs about 2 s a
// run (its probes take ~1 s to attach and ~1 s to detach, even on SIGKILL). The harness-kill case keeps the default.
const TICK = ["--kernel-time", "tick"];

/** The pids of `parent`'s children named `comm` (from /proc/<pid>/stat: "pid (comm) state ppid …"). */
function childrenNamed(parent: number, comm: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [, name = "", rest = ""] = /^\d+ \((.*)\) (.*)$/s.exec(stat) ?? [];
      if (name === comm && Number(rest.split(" ")[1]) === parent) found.push(Number(entry));
    } catch {
      // Exited while the directory was read.
    }
  }
  return found;
}

function readResult(stderr: string): RunResult {
  const path = /results(?: so far)?: (\S+result\.json)/.exec(stderr)?.[1];
  if (path === undefined) throw new Error(`no results path in stderr:\n${stderr}`);
  return JSON.parse(readFileSync(path, "utf8")) as RunResult;
}

describe(`crashes under load (topology ${topology})`, () => {
  it("marks a scenario whose server is killed mid-window errored, with the reason, and runs the rest", async () => {
    const bench = startBench(["--protocols", "h2c,http1", ...ARGS, ...TICK]);
    const serverPid = Number((await bench.waitFor(/\[1\/2\] h2c: server pid (\d+)/))[1]);
    await bench.waitFor(/\[1\/2\] h2c: measuring/);
    process.kill(serverPid, "SIGKILL");
    expect((await bench.exited).code).toBe(1);
    const result = readResult(bench.stderr());
    expect(result.state).toBe("finished");
    const [h2c, http1] = result.scenarios;
    expect(h2c?.state).toBe("errored");
    expect(h2c?.state === "errored" ? h2c.error : "").toMatch(/h2c server was killed by SIGKILL/);
    expect(http1?.state).toBe("completed");
    expect(bench.stdout()).toMatch(/h2c .* errored .*SIGKILL/);
  });

  it("marks a scenario whose generator is killed errored, and runs the rest", async () => {
    const bench = startBench(["--protocols", "http1,h2c", ...ARGS, ...TICK]);
    const generatorPid = Number((await bench.waitFor(/\[1\/2\] http1: generator pid (\d+)/))[1]);
    await bench.waitFor(/\[1\/2\] http1: measuring/);
    process.kill(generatorPid, "SIGKILL");
    expect((await bench.exited).code).toBe(1);
    const [http1, h2c] = readResult(bench.stderr()).scenarios;
    expect(http1?.state === "errored" ? http1.error : "").toMatch(/generator was killed by SIGKILL/);
    expect(h2c?.state).toBe("completed");
  });

  it("leaves nothing running after the harness itself is killed, and the next cleanup removes what it left", async () => {
    const before = wirecostNamespaces();
    const bench = startBench(["--protocols", "http1", ...ARGS]);
    const serverPid = Number((await bench.waitFor(/server pid (\d+)/))[1]);
    const generatorPid = Number((await bench.waitFor(/generator pid (\d+)/))[1]);
    await bench.waitFor(/measuring/);
    // The eBPF tracer, where this machine has it (--kernel-time auto): killed with the harness by its parent-death signal.
    const tracers = childrenNamed(bench.child.pid ?? 0, "bpftrace");
    expect(tracers).toHaveLength(ebpf ? 1 : 0);
    bench.child.kill("SIGKILL");
    await bench.exited;
    // Children watch the harness's pipes: they stop by themselves.
    expect(await eventually(() => !isAlive(serverPid) && !isAlive(generatorPid))).toBe(true);
    // The tracer's watchdog sees the harness's pipe close, sends SIGINT, and SIGKILL 5 s later
    // (bench/collector/ebpf/availability.ts): at SCHED_IDLE beside the busy unit files, a SIGINT's detaching alone
    // once outlasted 60 s, and once a tracer never got its parent-death signal at all.
    expect(await eventually(() => tracers.every((pid) => !isAlive(pid)), 60_000)).toBe(true);
    if (netns) {
      expect(wirecostNamespaces().length).toBeGreaterThan(before.length);
      const said: string[] = [];
      const code = await cleanup([], { stdout: { write: (t: string) => said.push(t) }, stderr: { write: (t: string) => said.push(t) } });
      expect(code, said.join("")).toBe(0);
      expect(said.join("")).toMatch(/removed wirecost-\S+-cli, wirecost-\S+-srv \(run \S+: owner-dead\)/);
      expect(wirecostNamespaces()).toEqual(before);
    }
  }, 120_000);
});
