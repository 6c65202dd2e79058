/**
 * The resources one run has created so far, and every such run of this process.
 *
 * The process-wide set exists so a signal handler can remove a topology that is still being created
 * (`destroyAllTopologiesSync`); it is plain data, no handler is installed by importing this module.
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { TopologyError } from "./types.ts";
import { type UndoFailure, type UndoStep, undoStep, undoStepSync } from "./undo.ts";

const live = new Set<RunResources>();

/** Whether `pid` has exited (gone, or a zombie nobody reaped yet because the event loop is blocked). */
function hasExited(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return true;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export class RunResources {
  readonly runId: string;
  readonly timeoutMs: number;
  /** In creation order; a step leaves the list once undone. */
  private readonly steps: UndoStep[] = [];
  /** What creation may still make (claimed by the run's state file); undone too when a signal interrupts creation. */
  private planned: UndoStep[] = [];
  /** Commands running right now (pids), so a synchronous destroy can let them finish before undoing. */
  private readonly inflight = new Set<number>();
  private destroying: Promise<void> | null = null;
  /** Set once destruction has started: creation stops at its next step. */
  aborted = false;

  constructor(runId: string, timeoutMs: number) {
    this.runId = runId;
    this.timeoutMs = timeoutMs;
    live.add(this);
  }

  /** Records something just created; throws when the run was destroyed meanwhile (e.g. by a signal handler). */
  add(step: UndoStep): void {
    this.record(step);
    this.throwIfAborted();
  }

  record(step: UndoStep): void {
    this.steps.push(step);
  }

  plan(steps: readonly UndoStep[]): void {
    this.planned = [...steps];
  }

  /** Creation finished: everything that exists is in `steps`. */
  created(): void {
    this.planned = [];
  }

  track(child: ChildProcess): void {
    const pid = child.pid;
    if (pid === undefined) return;
    this.inflight.add(pid);
    child.once("exit", () => this.inflight.delete(pid));
  }

  throwIfAborted(): void {
    if (this.aborted) throw new TopologyError("TOPOLOGY_ABORTED", `topology ${this.runId} was destroyed while being created`);
  }

  /** Undoes and forgets every step matching `match` (e.g. a rate limit removed on its own). */
  async undoMatching(match: (step: UndoStep) => boolean): Promise<void> {
    for (const step of this.steps.filter(match).reverse()) {
      await undoStep(step);
      this.forget(step);
    }
  }

  destroy(): Promise<void> {
    this.aborted = true;
    if (this.destroying === null) {
      this.destroying = this.undoRemaining().finally(() => {
        this.destroying = null;
      });
    }
    return this.destroying;
  }

  /**
   * Synchronous destroy for signal handlers. A command of an interrupted creation may still be running (say
   * `ip netns add`): wait for it to exit, then remove the recorded steps and everything the plan names, since the
   * command may have created something not yet recorded.
   */
  destroySync(): void {
    this.aborted = true;
    const deadline = Date.now() + this.timeoutMs;
    while ([...this.inflight].some((pid) => !hasExited(pid)) && Date.now() < deadline) sleepSync(2);
    const failures: UndoFailure[] = [];
    const unrecorded = this.planned.filter((p) => !this.steps.some((s) => sameStep(s, p)));
    // The state file goes last: it is what lets a later run find anything this one fails to remove.
    const pending = [
      ...this.steps.filter((s) => s.kind === "state-file"),
      ...unrecorded,
      ...this.steps.filter((s) => s.kind !== "state-file"),
    ];
    for (const step of pending.reverse()) {
      try {
        undoStepSync(step);
        this.forget(step);
      } catch (err) {
        failures.push({ step, error: err instanceof Error ? err : new Error(String(err)) });
      }
    }
    this.planned = [];
    this.settle(failures);
  }

  private async undoRemaining(): Promise<void> {
    const failures: UndoFailure[] = [];
    for (const step of [...this.steps].reverse()) {
      try {
        await undoStep(step);
        this.forget(step);
      } catch (err) {
        failures.push({ step, error: err instanceof Error ? err : new Error(String(err)) });
      }
    }
    this.settle(failures);
  }

  private forget(step: UndoStep): void {
    const i = this.steps.indexOf(step);
    if (i >= 0) this.steps.splice(i, 1);
  }

  /** Failed steps stay listed, so a later destroy retries them. */
  private settle(failures: readonly UndoFailure[]): void {
    if (this.steps.length === 0) live.delete(this);
    if (failures.length === 0) return;
    const lines = failures.map((f) => `${f.step.kind}: ${f.error.message}`);
    throw new TopologyError(
      "TOPOLOGY_CLEANUP_FAILED",
      `could not remove all of topology ${this.runId} (run \`npm run cleanup\` as root): ${lines.join("; ")}`,
      { cause: new AggregateError(failures.map((f) => f.error)) },
    );
  }
}

function sameStep(a: UndoStep, b: UndoStep): boolean {
  return JSON.stringify(stepKey(a)) === JSON.stringify(stepKey(b));
}

function stepKey(step: UndoStep): unknown {
  return step.kind === "process" ? ["process", step.child.pid] : step;
}

/** Destroys every topology of this process, including ones still being created. Returns the failures. */
export function destroyAllTopologiesSync(): Error[] {
  const errors: Error[] = [];
  for (const resources of [...live]) {
    try {
      resources.destroySync();
    } catch (err) {
      errors.push(err instanceof Error ? err : new Error(String(err)));
    }
  }
  return errors;
}
