/**
 * A process and all its descendants, found by walking `/proc/<pid>/task/<tid>/children` (each thread lists the
 * children it forked; Linux ≥ 3.5 with CONFIG_PROC_CHILDREN, which this machine has). What the collector counts as
 * "the server" or "the generator": every thread of every process of the tree — nginx's master and workers, a JVM's
 * threads, a server that forks per connection — not the one pid the harness started.
 *
 * A child that is born and exits between two snapshots is never seen, and one that exits inside the window takes
 * the CPU it had used with it (the same holds for an exited thread, diff-snapshots.ts): a tree of long-lived workers
 * is counted whole, a fork per request is not (docs/kernel-notes.md § "A process and its descendants"). The walk
 * reads through callbacks, so the BFS is tested without /proc.
 */

import { readdirSync, readFileSync } from "node:fs";

/** Most processes one walk follows: a runaway forker must not make a snapshot unbounded. */
export const MAX_TREE_PROCESSES = 1024;

/** The pids in a `children` file: space-separated, with a trailing space ("123 456 "), empty when there are none. */
export function parseChildren(text: string): number[] {
  const out: number[] = [];
  for (const field of text.split(/\s+/)) {
    if (field === "") continue;
    const pid = Number(field);
    if (Number.isSafeInteger(pid) && pid > 0) out.push(pid);
  }
  return out;
}

export interface TreeReads {
  /** The tids of `pid` (its /proc/<pid>/task entries), or null when it has exited. */
  tids(pid: number): readonly string[] | null;
  /** The text of /proc/<pid>/task/<tid>/children, or null when unreadable (the thread exited). */
  children(pid: number, tid: string): string | null;
}

/**
 * The tree under `root`, root first, then breadth first; processes that exit mid-walk are left out. `rootTids`, when
 * the caller has listed the root's threads already, saves listing them again.
 */
export function walkProcessTree(root: number, reads: TreeReads, rootTids?: readonly string[]): number[] {
  const pids: number[] = [];
  const seen = new Set<number>();
  const queue: { pid: number; tids: readonly string[] | null }[] = [{ pid: root, tids: rootTids ?? null }];
  while (queue.length > 0 && pids.length < MAX_TREE_PROCESSES) {
    const next = queue.shift() as { pid: number; tids: readonly string[] | null };
    if (seen.has(next.pid)) continue;
    seen.add(next.pid);
    const tids = next.tids ?? reads.tids(next.pid);
    if (tids === null) continue;
    pids.push(next.pid);
    for (const tid of tids) {
      const text = reads.children(next.pid, tid);
      if (text !== null) for (const child of parseChildren(text)) queue.push({ pid: child, tids: null });
    }
  }
  return pids;
}

/** The tree under `root` as /proc shows it now. */
export function processTreeOf(root: number, procRoot = "/proc"): number[] {
  return walkProcessTree(root, {
    tids: (pid) => {
      try {
        return readdirSync(`${procRoot}/${pid}/task`);
      } catch {
        return null;
      }
    },
    children: (pid, tid) => {
      try {
        return readFileSync(`${procRoot}/${pid}/task/${tid}/children`, "latin1");
      } catch {
        return null;
      }
    },
  });
}
