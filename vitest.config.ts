import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Two kinds of test, kept apart so that `npm test` fits in two minutes on two cores without one disturbing another:
 *
 * - **system** — files that create namespaces, offer load or read kernel counters: the `live` files, the fault runs
 *   and the topology files. The global counters (`/proc/net/softnet_stat`, `/proc/stat`) see every packet and CPU
 *   cycle on the host, and these files check that the namespace list is as before: they run one file at a time,
 *   after the unit files, with nothing beside them.
 * - **unit** — everything else (pure functions, loopback sockets, CLI usage errors): two files at a time.
 *
 * Both reuse their workers between files (`isolate: false`): starting one per file cost about a fifth of the run.
 * A new test that creates namespaces, offers load or reads global counters is a system test: name it
 * `*-live.test.ts`, or put it under test/faults/ or test/topology/.
 */
const SYSTEM = ["test/**/*-live.test.ts", "test/faults/**/*.test.ts", "test/topology/**/*.test.ts"];

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
          exclude: SYSTEM,
          // Vitest's default is one worker less than the CPUs: a single worker on this two-core machine.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: "system", include: SYSTEM, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
