/**
 * The child of `npm run bench:kernel-time`'s probe-cost measurement: two threads of one process hand a turn back and
 * forth with `Atomics.wait`/`notify`, so every round is two context switches and a few futex syscalls — the events
 * whose probes (sched_switch, raw_syscalls for a tracked process) the collector pays for most. It waits for a line on
 * stdin (so the harness can have the tracer track it first), runs the rounds, and prints the wall ns per round.
 */
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";

const rounds = Number(process.argv[2] ?? "20000");
const shared = new SharedArrayBuffer(8);
const turn = new Int32Array(shared);
// Turn 0: the main thread's; 1: the worker's; 2: stop.
const worker = new Worker(
  `const { workerData } = require("node:worker_threads");
   const turn = new Int32Array(workerData);
   for (;;) {
     Atomics.wait(turn, 0, 0);
     if (Atomics.load(turn, 0) === 2) break;
     Atomics.store(turn, 0, 0);
     Atomics.notify(turn, 0);
   }`,
  { eval: true, workerData: shared },
);
await new Promise<void>((resolve) => worker.once("online", () => resolve()));
await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
const start = performance.now();
for (let i = 0; i < rounds; i++) {
  Atomics.store(turn, 0, 1);
  Atomics.notify(turn, 0);
  Atomics.wait(turn, 0, 1);
}
const nsPerRound = ((performance.now() - start) * 1e6) / rounds;
Atomics.store(turn, 0, 2);
Atomics.notify(turn, 0);
await worker.terminate();
process.stdout.write(`${nsPerRound}\n`);
process.stdin.destroy();
