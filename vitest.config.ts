import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Three kinds of test, kept apart so that `npm test` fits in two minutes on two cores without one disturbing another:
 *
 * - **measuring** — runs that offer load and read kernel counters: the `live` files and the fault runs. The global
 *   counters (`/proc/net/softnet_stat`, `/proc/stat`) see every packet and CPU cycle on the host: they run one file at
 *   a time, after everything else, with nothing beside them.
 * - **namespaces** — the topology files build and remove namespaces, veths, bridges and NAT, and check that the
 *   namespace list is as before; they measure nothing. They share the two workers with the unit files, one topology
 *   file at a time (test/support/namespace-lock.ts).
 * - **unit** — everything else (pure functions, loopback sockets, CLI usage errors), two files at a time.
 *
 * Workers are reused between files (`isolate: false`): starting one per file cost about a fifth of the run. A new
 * test that offers load or reads global counters is named `*-live.test.ts` (or goes under test/faults/); one that
 * builds namespaces goes under test/topology/.
 */
const MEASURING = ["test/**/*-live.test.ts", "test/faults/**/*.test.ts"];
const NAMESPACES = ["test/topology/**/*.test.ts"];

// Node caches compiled code here, so the hundreds of node processes the tests start (servers, generators, CLIs)
// compile each module once per machine instead of once per process: about 40% of a CLI's start-up.
process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), "wirecost-node-compile-cache");

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    isolate: false,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: [...MEASURING, ...NAMESPACES],
          // Vitest's default is one worker less than the CPUs: a single worker on this two-core machine.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: "namespaces", include: NAMESPACES, setupFiles: ["test/support/namespace-lock.ts"], maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: "measuring", include: MEASURING, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
