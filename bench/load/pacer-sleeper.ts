/**
 * The sleeper thread's program (started by bench/load/pacer-thread.ts; see there for the protocol). It never returns
 * to its own event loop: it waits on the shared generation, and posts a generation once its asked time has come.
 */
import { readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { ASKED_OFFSET, CLOSED, GENERATION, SLEEPING_FOREVER, SLEEPING_OFFSET, sleepingUs, WAKE_UPS } from "./pacer-thread.ts";
import type { SleeperData, SleeperReady } from "./pacer-thread.ts";

const { shared, timerSlackNs } = workerData as SleeperData;
const control = new Int32Array(shared, 0, 3);
const askedMs = new Float64Array(shared, ASKED_OFFSET, 1);
const sleeping = new BigInt64Array(shared, SLEEPING_OFFSET, 1);

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
    // Said before waiting, so an ask that reads it after bumping the generation notifies; one before the bump
    // leaves a generation this wait sees changed.
    Atomics.store(sleeping, 0, SLEEPING_FOREVER);
    Atomics.wait(control, GENERATION, generation);
    Atomics.add(control, WAKE_UPS, 1);
    continue;
  }
  const asked = askedMs[0] ?? 0;
  const leftMs = asked - performance.now();
  if (leftMs > 0) {
    Atomics.store(sleeping, 0, sleepingUs(asked));
    // Returns early only when notified of an earlier time; either way the loop reads the state afresh.
    Atomics.wait(control, GENERATION, generation, leftMs);
    Atomics.add(control, WAKE_UPS, 1);
    continue;
  }
  fired = generation;
  parentPort?.postMessage(generation);
}
