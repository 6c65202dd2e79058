/**
 * Where the harness itself runs. Its collector reads /proc ten times a second and snapshots every counter at each
 * window edge; left unpinned, the kernel ran that work on the server's CPU too, in the server's measured window, and
 * it preempted the generator on its own CPU. So, once the topology has chosen the CPUs, the harness pins all its
 * threads to the generator's CPU and lowers its priority to nice HARNESS_NICE: there it runs in the generator's idle
 * time and yields when both want the CPU (a task at nice 10 weighs 110 against 1024 at nice 0, kernel/sched/core.c
 * `sched_prio_to_weight`, so it also preempts a nice-0 task on wake-up far less). Its children inherit both: the servers
 * and generators are pinned again by their wrapper (taskset) and set back to nice 0 by `nice -n -HARNESS_NICE` (see
 * `childCommand`), which needs CAP_SYS_NICE; without it the harness stays at nice 0, so that its children do too.
 */
import { execFileSync } from "node:child_process";
import { getPriority, setPriority } from "node:os";
import type { HarnessPlacement } from "../results/schema.ts";
import type { Command } from "../support/child-process.ts";

export const HARNESS_NICE = 10;

/** `nice -n -N` before a child's command, when the harness at nice N sets its children back to 0. Pure. */
export function childCommand(command: Command, harness: HarnessPlacement): Command {
  if (!harness.childrenAtNiceZero || harness.nice === 0) return command;
  return { file: "nice", args: ["-n", String(-harness.nice), command.file, ...command.args] };
}

export interface PlacedHarness {
  readonly placement: HarnessPlacement;
  /** Puts this process back where it was: its CPUs and nice as before (the bench may run inside a longer process). */
  restore(): void;
}

/** Pins this process (every thread) to `cpu` and, with CAP_SYS_NICE (root), lowers its priority to HARNESS_NICE. */
export function placeHarness(cpu: number | null): PlacedHarness {
  const pid = String(process.pid);
  const niceBefore = getPriority();
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
  // Lowering a child's nice back needs CAP_SYS_NICE: without root, the harness keeps its nice and its children with it.
  const root = process.getuid?.() === 0;
  if (root && niceBefore < HARNESS_NICE) setPriority(HARNESS_NICE);
  const placement: HarnessPlacement = { cpu: pinned, nice: getPriority(), childrenAtNiceZero: root, ...(error === undefined ? {} : { error }) };
  let restored = false;
  return {
    placement,
    restore() {
      if (restored) return;
      restored = true;
      // Never throws: it runs before the topology is removed, which must happen whatever this does.
      try {
        if (getPriority() !== niceBefore) setPriority(niceBefore);
        if (pinned !== null && cpusBefore !== null) execFileSync("taskset", ["-a", "-c", "-p", cpusBefore, pid], { stdio: "ignore" });
      } catch {
        // The process ends soon after a run; a longer one keeps the generator's CPU and the lower priority.
      }
    },
  };
}
