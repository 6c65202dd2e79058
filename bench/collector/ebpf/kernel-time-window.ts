/**
 * A window of exact kernel time: the epochs between two marks, summed. Epoch e covers (mark e−1, mark e], so the
 * window from mark a to mark b is epochs a+1 … b and lasts markNs(b) − markNs(a). Pure.
 */
import type { HardirqRow, KernelTimeEpoch, SoftirqRow, SyscallRow, TaskRow } from "./bpftrace-output.ts";

export interface KernelTimeWindow {
  readonly fromEpoch: number;
  readonly toEpoch: number;
  /** markNs(b) − markNs(a): the wall time every CPU's attribution must add up to. */
  readonly windowNs: number;
  /** The two marks' times, CLOCK_MONOTONIC ns. */
  readonly fromMarkNs: number;
  readonly toMarkNs: number;
  readonly tasks: readonly TaskRow[];
  readonly switches: Readonly<Record<string, number>>;
  readonly softirqs: readonly SoftirqRow[];
  readonly hardirqs: readonly HardirqRow[];
  readonly syscalls: readonly SyscallRow[];
}

export class KernelTimeWindowError extends Error {
  override readonly name = "KernelTimeWindowError";
}

/** Sums rows that share a key; `add` merges two rows of one key. */
function merge<T>(rows: Iterable<T>, keyOf: (row: T) => string, add: (a: T, b: T) => T): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) {
    const key = keyOf(row);
    const had = byKey.get(key);
    byKey.set(key, had === undefined ? row : add(had, row));
  }
  return [...byKey.values()];
}

/**
 * The window between the epoch closed by one mark (`from`, the window's start) and the epoch closed by a later one
 * (`to`). Every epoch in between must be present: a missing one would silently shorten the sums.
 */
export function kernelTimeWindow(epochs: readonly KernelTimeEpoch[], from: number, to: number): KernelTimeWindow {
  const start = epochs.find((e) => e.epoch === from);
  const end = epochs.find((e) => e.epoch === to);
  if (start === undefined || end === undefined) throw new KernelTimeWindowError(`no mark ${start === undefined ? from : to} among the epochs read`);
  if (to <= from) throw new KernelTimeWindowError(`the window's end mark ${to} is not after its start mark ${from}`);
  const inside = epochs.filter((e) => e.epoch > from && e.epoch <= to);
  if (inside.length !== to - from) throw new KernelTimeWindowError(`epochs ${from + 1}–${to} are incomplete: ${inside.length} of ${to - from} were read`);
  return [...inside].sort((a, b) => a.epoch - b.epoch).reduce(extendWindow, openWindow(start));
}

/** A window that starts at `start`'s mark and has no epoch yet: `extendWindow` adds them one by one. */
export function openWindow(start: KernelTimeEpoch): KernelTimeWindow {
  return { fromEpoch: start.epoch, toEpoch: start.epoch, windowNs: 0, fromMarkNs: start.markNs, toMarkNs: start.markNs, tasks: [], switches: {}, softirqs: [], hardirqs: [], syscalls: [] };
}

/**
 * The window extended by the epoch after its last, summed key by key. The collector folds each epoch in as bpftrace
 * prints it, so a window of any length holds one row per key, not every epoch (issue 11: bounded memory).
 */
export function extendWindow(window: KernelTimeWindow, next: KernelTimeEpoch): KernelTimeWindow {
  if (next.epoch !== window.toEpoch + 1) throw new KernelTimeWindowError(`epoch ${window.toEpoch + 1} is missing: the next epoch read was ${next.epoch}`);
  const switches: Record<string, number> = { ...window.switches };
  for (const [cpu, n] of Object.entries(next.switches)) switches[cpu] = (switches[cpu] ?? 0) + n;
  return {
    fromEpoch: window.fromEpoch,
    toEpoch: next.epoch,
    windowNs: next.markNs - window.fromMarkNs,
    fromMarkNs: window.fromMarkNs,
    toMarkNs: next.markNs,
    tasks: merge([...window.tasks, ...next.tasks], (r) => `${r.cpu},${r.pid}`, (a, b) => ({ ...a, ns: a.ns + b.ns })),
    switches,
    softirqs: merge(
      [...window.softirqs, ...next.softirqs],
      (r) => `${r.cpu},${r.vec},${r.pid}`,
      (a, b) => ({ ...a, ns: a.ns + b.ns, runs: a.runs + b.runs }),
    ),
    hardirqs: merge(
      [...window.hardirqs, ...next.hardirqs],
      (r) => `${r.cpu},${r.line},${r.pid}`,
      (a, b) => ({ ...a, ns: a.ns + b.ns, count: a.count + b.count }),
    ),
    syscalls: merge(
      [...window.syscalls, ...next.syscalls],
      (r) => `${r.cpu},${r.pid}`,
      (a, b) => ({ ...a, ns: a.ns + b.ns, count: a.count + b.count, irqNs: a.irqNs + b.irqNs }),
    ),
  };
}
