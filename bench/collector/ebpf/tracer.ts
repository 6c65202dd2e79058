/**
 * The eBPF collector's only I/O: bpftrace running kernel-time.bt as a child for the whole scenario. `mark()` makes
 * the syscall the program listens for (kill(-harness pid, 0): signal 0 delivers nothing) and resolves with the epoch
 * it closed, once bpftrace has printed it. Marks are serialised: one is in flight at a time, so the program never
 * switches buffers while one is still being printed.
 */
import type { TrackedChild } from "../../support/child-process.ts";
import { describeExit, spawnTracked, withTimeout } from "../../support/child-process.ts";
import { createOutputParser } from "./bpftrace-output.ts";
import type { KernelTimeEpoch } from "./bpftrace-output.ts";
import { tracerCommand } from "./availability.ts";
import { BUFFERS, programArgs } from "./program.ts";
import type { ProgramTargets } from "./program.ts";

export interface KernelTimeTracer {
  readonly pid: number;
  /** The probes bpftrace attached. */
  readonly probes: number;
  /** Closes the running epoch now and resolves with it. */
  mark(): Promise<KernelTimeEpoch>;
  /** Marks made whose epochs bpftrace has not printed yet. */
  inFlight(): number;
  /** Splits out these processes' syscall time from now on (a scenario's server and generator); resolves once done. */
  track(pids: readonly number[]): Promise<void>;
  /** Events the kernel dropped before bpftrace read them (its `lost_events`); any is a broken window. */
  readonly lostEvents: number;
  /** Stops bpftrace; resolves when it has exited. */
  stop(): Promise<void>;
}

/** bpftrace compiles and attaches ~26 probes in 0.5–1 s here; allow for a slow, busy machine. */
const READY_TIMEOUT_MS = 30_000;
/** A mark is printed within milliseconds; seconds mean bpftrace is stuck. */
const MARK_TIMEOUT_MS = 10_000;

/**
 * Starts bpftrace for a run (pinned to `cpu`, the generator's) and resolves once its probes are attached. One tracer
 * serves every scenario of the run: its start-up is paid once.
 */
export async function startKernelTimeTracer(targets: Omit<ProgramTargets, "harnessPid">, cpu: number | null): Promise<KernelTimeTracer> {
  const harnessPid = process.pid;
  const child: TrackedChild = spawnTracked("bpftrace", tracerCommand(["bpftrace", ...programArgs({ ...targets, harnessPid })], cpu));
  const parser = createOutputParser();
  let lostEvents = 0;
  let probes = 0;
  let ready: () => void = () => {};
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  /** The marks not yet printed, oldest first: settled by their epoch, or all rejected when bpftrace dies. */
  const waiting: { resolve: (epoch: KernelTimeEpoch) => void; reject: (error: Error) => void }[] = [];
  const trackedWaiters = new Map<number, () => void>();
  let failure: Error | null = null;
  let pending = "";
  child.process.stdout?.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      try {
        const got = parser.push(line);
        if (got?.kind === "ready") ready();
        else if (got?.kind === "attached") probes = got.probes;
        else if (got?.kind === "tracked") {
          trackedWaiters.get(got.pid)?.();
          trackedWaiters.delete(got.pid);
        }
        else if (got?.kind === "lost") lostEvents += got.events;
        else if (got?.kind === "epoch") waiting.shift()?.resolve(got.epoch);
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
      }
    }
  });
  const died = child.exited.then((exit) => {
    const error = new Error(describeExit("bpftrace", exit, child.stderrTail()));
    failure ??= error;
    for (const mark of waiting.splice(0)) mark.reject(error);
    throw error;
  });
  died.catch(() => {});
  try {
    await withTimeout(Promise.race([isReady, died]), READY_TIMEOUT_MS, `bpftrace did not attach its probes within ${READY_TIMEOUT_MS / 1000} s`);
  } catch (error) {
    await child.stop(1000);
    throw error;
  }
  // With three buffers, two marks may be in flight: the third buffer takes the events meanwhile. A mark beyond that
  // waits for the oldest to be printed; otherwise the syscall is made at once, so an edge lands when it is asked for.
  let inFlight = 0;
  const queued: (() => void)[] = [];
  const markNow = (): Promise<KernelTimeEpoch> => {
    if (failure !== null) return Promise.reject(failure);
    inFlight++;
    // Not a race with `died`: a reaction added to that long-lived promise per mark stays until bpftrace exits, and
    // kept every mark's epoch alive with it (at 100 Hz the harness's heap grew ~0.3 MB/s, and its collections then
    // starved bpftrace). bpftrace's exit rejects the waiting marks instead.
    const printed = new Promise<KernelTimeEpoch>((resolve, reject) => waiting.push({ resolve, reject }));
    try {
      process.kill(-harnessPid, 0);
    } catch {
      // ESRCH when the harness leads no process group: the syscall was made, which is all the program needs.
    }
    const done = withTimeout(printed, MARK_TIMEOUT_MS, `bpftrace printed no epoch within ${MARK_TIMEOUT_MS / 1000} s of a mark`);
    void done.finally(() => {
      inFlight--;
      queued.shift()?.();
    }).catch(() => {});
    return done;
  };
  return {
    pid: child.pid,
    get probes() {
      return probes;
    },
    get lostEvents() {
      return lostEvents;
    },
    async track(pids) {
      const confirmed = pids.map((pid) => {
        if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`not a process id: ${pid}`);
        const done = new Promise<void>((resolve) => trackedWaiters.set(pid, resolve));
        try {
          process.kill(-pid, 0);
        } catch {
          // ESRCH: the process leads no group; the syscall was made, which is all the program needs.
        }
        return done;
      });
      await withTimeout(Promise.race([Promise.all(confirmed), died]), MARK_TIMEOUT_MS, `bpftrace did not confirm tracking ${pids.join(", ")}`);
    },
    inFlight: () => inFlight + queued.length,
    mark() {
      if (inFlight < BUFFERS - 1) return markNow();
      return new Promise<void>((resolve) => queued.push(resolve)).then(markNow);
    },
    async stop() {
      await child.stop(2000);
    },
  };
}
