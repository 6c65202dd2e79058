/**
 * The sleeper thread's program (started by bench/load/pacer-thread.ts; see there for the protocol). It never returns
 * to its own event loop: it waits on the shared generation, and posts a generation once its asked time has come.
 */
import { readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { CLOSED, GENERATION } from "./pacer-thread.ts";
import type { SleeperData, SleeperReady } from "./pacer-thread.ts";

const { shared, timerSlackNs } = workerData as SleeperData;
const control = new Int32Array(shared, 0, 2);
const askedMs = new Float64Array(shared, 8, 1);

/** This thread's timer slack after setting it (the kernel's, when it cannot be set or read: null). */
function setTimerSlack(ns: number | null): number | null {
  // A futex timeout may fire up to the thread's timer slack late (default 50 µs), so that wake-ups batch
  // (kernel/time/hrtimer.c `hrtimer_set_expires_range_ns`). The file is per thread but only under /proc/<tid>/,
  // not /proc/<pid>/task/<tid>/ (fs/proc/base.c lists it in `tgid_base_stuff` alone); /proc/thread-self names
  // this thread's tid, as synchronous fs calls run on the calling thread. A thread may set its own slack
  // (`timerslack_ns_write` asks CAP_SYS_NICE only for another task's).
  try {
    const file = `/proc/${readlinkSync("/proc/thread-self").split("/").at(-1)}/timerslack_ns`;
    if (ns !== null) writeFileSync(file, String(ns));
    return Number(readFileSync(file, "utf8"));
  } catch {
    // Not Linux, or a kernel before 4.6: the default slack stays, and the learned lead absorbs it.
    return null;
  }
}

const ready: SleeperReady = { timerSlackNs: setTimerSlack(timerSlackNs) };
parentPort?.postMessage(ready);

let fired = 0;
for (;;) {
  const generation = Atomics.load(control, GENERATION);
  if (Atomics.load(control, CLOSED) === 1) break;
  if (generation === fired) {
    Atomics.wait(control, GENERATION, generation);
    continue;
  }
  const leftMs = (askedMs[0] ?? 0) - performance.now();
  if (leftMs > 0) {
    // Returns early when asked again (the generation changed); either way the loop reads the state afresh.
    Atomics.wait(control, GENERATION, generation, leftMs);
    continue;
  }
  fired = generation;
  parentPort?.postMessage(generation);
}
