import { defineConfig } from "vitest/config";

/**
 * Three kinds of test, kept apart so `npm test` fits in two minutes on two cores without one kind disturbing another:
 *
 * - **measuring** — runs that offer load and read kernel counters (the `live` files, the fault runs, the CLI's real
 *   runs). The global counters (`/proc/net/softnet_stat`, `/proc/stat`) see every packet and every CPU cycle on the
 *   host, and their assertions compare namespace lists before and after: they run one file at a time, after
 *   everything else, with nothing beside them.
 * - **namespaces** — the topology files build and remove namespaces, veths, bridges and NAT but measure nothing;
 *   they run one file at a time (each checks that the namespace list is as before), beside the unit files.
 * - **unit** — everything else (pure functions, loopback sockets, CLI usage errors): two files at a time, and the
 *   workers are reused between files (`isolate: false`) because starting one per file cost about a fifth of the run.
 *
 * A new test that creates namespaces, offers load or reads global counters belongs in the first two: name it
 * `*-live.test.ts` or put it under test/faults/ or test/topology/.
 */
const MEASURING = ["test/**/*-live.test.ts", "test/faults/**/*.test.ts"];
const NAMESPACES = ["test/topology/**/*.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: [...MEASURING, ...NAMESPACES],
          isolate: false,
          // Vitest's default is one worker less than the CPUs: a single worker on this two-core machine.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: "namespaces", include: NAMESPACES, fileParallelism: false, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: "measuring", include: MEASURING, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
