/**
 * Where the harness itself runs. Its collector reads /proc ten times a second and snapshots every counter at each
 * window edge; left unpinned, the kernel ran that work on the server's CPU too, in the server's measured window
 * (eBPF: 4.7–7.1 ms a second of other tasks there at 1760 req/s; pinned, 0.6–1.8). So, once the topology has chosen
 * the CPUs, the harness pins all its threads to the generator's CPU. It keeps its priority: at nice 10 it took the
 * generator's edge reports up to 42 ms late, and its marks of the window's edges with them (the eBPF window then fell
 * back to the tick method); at nice 0 it runs as soon as the generator's message arrives. Its children inherit the
 * pinning; the servers and generators are pinned again by their wrapper (taskset), to their own CPUs.
 */
import { execFileSync } from "node:child_process";
import type { HarnessPlacement } from "../results/schema.ts";

export interface PlacedHarness {
  readonly placement: HarnessPlacement;
  /** Puts this process back on the CPUs it had (the bench may run inside a longer process, as the tests run it). */
  restore(): void;
}

/** Pins this process (every thread) to `cpu`; null leaves it where it is. */
export function placeHarness(cpu: number | null): PlacedHarness {
  const pid = String(process.pid);
  let error: string | undefined;
  let cpusBefore: string | null = null;
  let pinned: number | null = null;
  if (cpu !== null) {
    try {
      // "pid 123's current affinity list: 0,1"
      cpusBefore = execFileSync("taskset", ["-c", "-p", pid], { encoding: "utf8" }).trim().split(": ").at(-1) ?? null;
      execFileSync("taskset", ["-a", "-c", "-p", String(cpu), pid], { stdio: "ignore" });
      pinned = cpu;
    } catch (e) {
      error = `could not pin the harness to CPU ${cpu}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  const placement: HarnessPlacement = { cpu: pinned, ...(error === undefined ? {} : { error }) };
  let restored = false;
  return {
    placement,
    restore() {
      if (restored) return;
      restored = true;
      // Never throws: it runs before the topology is removed, which must happen whatever this does.
      try {
        if (pinned !== null && cpusBefore !== null) execFileSync("taskset", ["-a", "-c", "-p", cpusBefore, pid], { stdio: "ignore" });
      } catch {
        // The process ends soon after a run; a longer one keeps the generator's CPU.
      }
    },
  };
}
