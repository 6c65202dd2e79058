/**
 * What a run has created, as a list of undo steps, and the code that undoes them (async, and sync for signal
 * handlers). Steps run in reverse order of creation, each best-effort: a failure is collected and the rest still
 * run. Something already gone counts as undone, so undoing twice, or after `cleanupLeftovers`, is harmless.
 */
import type { ChildProcess } from "node:child_process";
import { statSync } from "node:fs";
import { CommandError, run, runSync } from "./exec.ts";
import { removeStateFile } from "./state.ts";

export type UndoStep =
  /** Kill every process inside, then `ip netns del` (which also destroys the veth ends inside). */
  | { readonly kind: "namespace"; readonly name: string }
  | { readonly kind: "host-link"; readonly name: string }
  | { readonly kind: "process"; readonly child: ChildProcess }
  /** `purpose` absent: a rate limit (steps recorded before netem existed). */
  | { readonly kind: "qdisc"; readonly namespace: string; readonly device: string; readonly purpose?: "rate-limit" | "netem" }
  /**
   * NAT and filter rules inside `namespace`, removed by running each argv there (`nft delete table …`, or the
   * `iptables -D …` twins of what was added, last-first). Deleting the namespace would drop them too; undoing
   * them first means a failure to delete the namespace still leaves no NAT behind.
   */
  | { readonly kind: "netfilter"; readonly namespace: string; readonly commands: readonly (readonly string[])[] }
  | { readonly kind: "state-file"; readonly runId: string };

/** iproute2's messages for "it is not there", which mean the step has nothing left to do. */
const GONE =
  /No such file or directory|Cannot find device|does not exist|Cannot open network namespace|handle of zero|Invalid handle|Bad rule \(does a matching rule exist|No chain\/target\/match by that name/i;

function isGone(err: unknown): boolean {
  return err instanceof CommandError && GONE.test(err.stderr);
}

/**
 * Why acting in namespace `name` is refused, or null: the name is bound to the host's own network namespace (`ip
 * netns attach NAME 1`) or this process's. Killing the processes "inside" it would kill the host's, and deleting it
 * would only unbind the name.
 */
export function hostNamespaceRefusal(name: string): string | null {
  const inode = (file: string): number | null => {
    try {
      return statSync(file).ino;
    } catch {
      return null;
    }
  };
  const target = inode(`/run/netns/${name}`);
  if (target === null || (target !== inode("/proc/1/ns/net") && target !== inode("/proc/self/ns/net"))) return null;
  return `refusing to act in namespace ${name}: it is the host's own network namespace, not one wirecost made`;
}

function refuseHostNamespace(name: string): void {
  const refusal = hostNamespaceRefusal(name);
  if (refusal !== null) throw new Error(refusal);
}

function killPids(stdout: string): void {
  for (const token of stdout.split(/\s+/)) {
    const pid = Number(token);
    if (!Number.isInteger(pid) || pid <= 1) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
  }
}

function commandsFor(step: UndoStep): string[][] {
  switch (step.kind) {
    case "namespace":
      return [["ip", "netns", "del", step.name]];
    case "host-link":
      return [["ip", "link", "del", "dev", step.name]];
    case "qdisc":
      return [["tc", "-n", step.namespace, "qdisc", "del", "dev", step.device, "root"]];
    case "netfilter":
      return step.commands.map((argv) => ["ip", "netns", "exec", step.namespace, ...argv]);
    case "process":
    case "state-file":
      return [];
    default:
      return assertNeverStep(step);
  }
}

function assertNeverStep(step: never): never {
  throw new Error(`unhandled undo step: ${JSON.stringify(step)}`);
}

function localPart(step: UndoStep): void {
  if (step.kind === "process") {
    if (step.child.exitCode === null && step.child.signalCode === null) step.child.kill("SIGKILL");
  } else if (step.kind === "state-file") {
    removeStateFile(step.runId);
  }
}

/** Runs each action, ignoring "already gone", and throws the first real failure only after trying them all. */
function attemptAll(actions: readonly (() => void)[]): void {
  let failure: unknown = null;
  for (const action of actions) {
    try {
      action();
    } catch (err) {
      if (!isGone(err) && failure === null) failure = err;
    }
  }
  if (failure !== null) throw failure;
}

async function attemptAllAsync(actions: readonly (() => Promise<void> | void)[]): Promise<void> {
  let failure: unknown = null;
  for (const action of actions) {
    try {
      await action();
    } catch (err) {
      if (!isGone(err) && failure === null) failure = err;
    }
  }
  if (failure !== null) throw failure;
}

export async function undoStep(step: UndoStep): Promise<void> {
  // Before any action, so that nothing of the step runs.
  if (step.kind === "namespace") refuseHostNamespace(step.name);
  await attemptAllAsync([
    async () => {
      if (step.kind === "namespace") killPids((await run("ip", ["netns", "pids", step.name])).stdout);
    },
    () => localPart(step),
    ...commandsFor(step).map(([file, ...args]) => async () => {
      await run(file as string, args);
    }),
  ]);
}

export function undoStepSync(step: UndoStep): void {
  if (step.kind === "namespace") refuseHostNamespace(step.name);
  attemptAll([
    () => {
      if (step.kind === "namespace") killPids(runSync("ip", ["netns", "pids", step.name]).stdout);
    },
    () => localPart(step),
    ...commandsFor(step).map(([file, ...args]) => () => {
      runSync(file as string, args);
    }),
  ]);
}

export interface UndoFailure {
  readonly step: UndoStep;
  readonly error: Error;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Undoes `steps` last-first; returns the failures (empty when everything is gone). */
export async function undoAll(steps: readonly UndoStep[]): Promise<UndoFailure[]> {
  const failures: UndoFailure[] = [];
  for (const step of [...steps].reverse()) {
    try {
      await undoStep(step);
    } catch (err) {
      failures.push({ step, error: asError(err) });
    }
  }
  return failures;
}
