import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";
import { InterleaveSequencer } from "./test/support/interleave-sequencer.ts";

/**
 * Three kinds of test, kept apart so that `npm test` takes as little time as two cores allow (219–243 s here on
 * 2026-12-05: the parallel phase keeps both cores busy for about 145 s, the measuring files take about 60 s alone),
 * none disturbing another:
 *
 * - **measuring** (`*-live.test.ts`) — runs whose assertions rest on kernel counters (packet and segment counts, the
 *   packet rate a calibration reaches, softnet and kernel-thread figures, eBPF time). The global counters see every
 *   packet and CPU cycle on the host, so these run one file at a time, after everything else, with nothing beside them.
 * - **serial** (test/topology/, run/user-server-netns, hosts/bench-hosts-netns, faults/crashes, faults/signals,
 *   cli/kernel-time-fallback) — files that build and
 *   remove namespaces, or a dead run's leftovers, or check that a refused run made none, and check that the namespace
 *   list and /run/wirecost are as before; no assertion rests on a counter or on speed (a crash or a signal lands
 *   within milliseconds of the phase line it waits for, and every phase it aims at ends the same way whichever it
 *   lands in). One of them runs at a time (test/support/serial-lock.ts), beside the unit files.
 * - **unit** — everything else: pure functions, loopback sockets, CLI usage errors, a whole run on loopback.
 *
 * The serial and unit files share four workers, ordered so that a serial file is always waiting for the lock when it
 * frees (test/support/interleave-sequencer.ts): the serial files mostly wait on commands and children, so their lane
 * is the longest path, and a worker waiting for the lock sleeps. Their workers are reused between files
 * (`isolate: false`): starting one per file cost about a fifth of the run.
 */
const MEASURING = ["test/**/*-live.test.ts"];
const SERIAL = ["test/topology/**/*.test.ts", "test/run/user-server-netns.test.ts", "test/hosts/bench-hosts-netns.test.ts", "test/faults/crashes.test.ts", "test/faults/signals.test.ts", "test/cli/kernel-time-fallback.test.ts"];

// Node caches compiled code here, so the hundreds of node processes the tests start (servers, generators, CLIs)
// compile each module once per machine instead of once per process: about 40% of a CLI's start-up.
process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), "wirecost-node-compile-cache");

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    isolate: false,
    sequence: { sequencer: InterleaveSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: [...MEASURING, ...SERIAL],
          maxWorkers: 4,
          sequence: { groupOrder: 0 },
          setupFiles: ["test/support/runs-dir.ts"],
          // Here, not at the top: a global setup there would run once per project.
          globalSetup: ["test/support/typecheck.ts"],
        },
      },
      {
        extends: true,
        test: { name: "serial", include: SERIAL, setupFiles: ["test/support/runs-dir.ts", "test/support/serial-lock.ts"], maxWorkers: 4, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        // A fresh worker per file, as before: with workers reused here, two full runs had tcpdump's count and the
        // counters' 4 and 5 packets apart at a window's edges (the limit is 2), which the file alone never showed.
        test: { name: "measuring", include: MEASURING, setupFiles: ["test/support/runs-dir.ts"], maxWorkers: 1, isolate: true, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
