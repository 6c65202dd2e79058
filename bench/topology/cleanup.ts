/**
 * Leftovers of killed runs, and cleanup on signals.
 *
 * A run's namespaces and links are a leftover when the owner named in its state file is gone (dead, or its pid
 * reused by another process). Names in the exact form wirecost makes (naming.ts `isMadeNamespaceName`,
 * `isMadeHostLinkName`) that no state file claims are reported as `no-state-file` leftovers, which only
 * `npm run cleanup -- --force` removes: a crash before the state file was written leaves them, but so could a
 * user's own namespace that happens to look like ours. Other names with the prefix are never listed. A live run's
 * resources are never touched, and the host's own network namespace is never acted in (undo.ts). Nothing here
 * installs a handler on import: the CLI owns signal policy and calls `registerCleanupOnSignals` when it wants it.
 */
import { run } from "./exec.ts";
import { HOST_LINK_PREFIX, isMadeHostLinkName, isMadeNamespaceName, NAMESPACE_PREFIX, parseNamespaceName } from "./naming.ts";
import { destroyAllTopologiesSync } from "./resources.ts";
import { ownerStatus, readStateFiles } from "./state.ts";
import type { Topology } from "./types.ts";
import { type UndoStep, undoAll } from "./undo.ts";

export type LeftoverReason = "owner-dead" | "owner-pid-reused" | "no-state-file" | "unreadable-state-file";

export interface Leftover {
  /** null for host links no state file claims (their names carry only a hash of the run id). */
  readonly runId: string | null;
  readonly reason: LeftoverReason;
  readonly ownerPid: number | null;
  readonly namespaces: readonly string[];
  readonly hostLinks: readonly string[];
  readonly stateFile: string | null;
}

async function listNamespaces(): Promise<string[]> {
  const out = (await run("ip", ["-j", "netns", "list"])).stdout.trim();
  const list = out === "" ? [] : (JSON.parse(out) as { name: string }[]);
  return list.map((n) => n.name).filter((n) => n.startsWith(NAMESPACE_PREFIX));
}

async function listHostLinks(): Promise<string[]> {
  const list = JSON.parse((await run("ip", ["-j", "link", "show"])).stdout) as { ifname: string }[];
  return list.map((l) => l.ifname).filter((n) => n.startsWith(HOST_LINK_PREFIX));
}

export async function findLeftovers(): Promise<Leftover[]> {
  const namespaces = new Set(await listNamespaces());
  const hostLinks = new Set(await listHostLinks());
  const leftovers: Leftover[] = [];
  for (const entry of readStateFiles()) {
    const state = entry.state;
    const owned = [...namespaces].filter((n) => parseNamespaceName(n)?.runId === entry.runId || state?.namespaces.includes(n)).sort();
    const links = [...hostLinks].filter((l) => state?.hostLinks.includes(l) === true).sort();
    for (const n of owned) namespaces.delete(n);
    for (const l of links) hostLinks.delete(l);
    const status = state === null ? null : ownerStatus(state);
    if (status === "alive") continue;
    leftovers.push({
      runId: entry.runId,
      reason: status === null ? "unreadable-state-file" : status === "dead" ? "owner-dead" : "owner-pid-reused",
      ownerPid: state?.ownerPid ?? null,
      namespaces: owned,
      hostLinks: links,
      stateFile: entry.path,
    });
  }
  const unclaimed = new Map<string | null, string[]>();
  for (const n of [...namespaces].filter(isMadeNamespaceName)) {
    const runId = parseNamespaceName(n)?.runId ?? null;
    unclaimed.set(runId, [...(unclaimed.get(runId) ?? []), n]);
  }
  for (const [runId, names] of unclaimed) {
    leftovers.push({ runId, reason: "no-state-file", ownerPid: null, namespaces: names.sort(), hostLinks: [], stateFile: null });
  }
  const unclaimedLinks = [...hostLinks].filter(isMadeHostLinkName).sort();
  if (unclaimedLinks.length > 0) {
    leftovers.push({ runId: null, reason: "no-state-file", ownerPid: null, namespaces: [], hostLinks: unclaimedLinks, stateFile: null });
  }
  return leftovers;
}

export interface CleanupReport {
  readonly removed: readonly Leftover[];
  readonly failures: readonly { readonly leftover: Leftover; readonly error: Error }[];
}

/** What cleanup says of leftovers no state file claims, which it leaves unless forced; null when there are none. */
export function leftAloneLine(leftovers: readonly Leftover[]): string | null {
  const names = leftovers.filter((l) => !isClaimed(l)).flatMap((l) => [...l.namespaces, ...l.hostLinks]);
  if (names.length === 0) return null;
  return `left alone ${names.join(", ")}: named as wirecost names its runs, but no state file claims them; npm run cleanup -- --force removes them`;
}

/** Leftovers a state file names: a dead run's, which cleanup removes without being asked. */
export function isClaimed(leftover: Leftover): boolean {
  return leftover.reason !== "no-state-file";
}

/**
 * Removes the given leftovers (default: whatever `findLeftovers` reports now and a state file names; with `force`,
 * the unclaimed ones too): kills the processes inside each namespace, deletes the namespaces and host links, then the
 * state file.
 */
export async function cleanupLeftovers(leftovers?: readonly Leftover[], options: { readonly force?: boolean } = {}): Promise<CleanupReport> {
  const targets = (leftovers ?? (await findLeftovers())).filter((l) => options.force === true || isClaimed(l));
  const removed: Leftover[] = [];
  const failures: { leftover: Leftover; error: Error }[] = [];
  for (const leftover of targets) {
    const steps: UndoStep[] = [
      ...(leftover.stateFile !== null && leftover.runId !== null ? [{ kind: "state-file", runId: leftover.runId } as const] : []),
      ...leftover.namespaces.map((name) => ({ kind: "namespace", name }) as const),
      ...leftover.hostLinks.map((name) => ({ kind: "host-link", name }) as const),
    ];
    const errors = await undoAll(steps);
    if (errors.length === 0) removed.push(leftover);
    else failures.push({ leftover, error: new AggregateError(errors.map((e) => e.error), `could not remove all of run ${leftover.runId}`) });
  }
  return { removed, failures };
}

export interface SignalCleanupOptions {
  /** Default SIGINT, SIGTERM, SIGHUP. */
  readonly signals?: readonly NodeJS.Signals[];
  /**
   * Default true: once cleaned up, if no other listener is left for the signal, raise it again so the process
   * ends as it would have without this handler (exit status 128 + signal number).
   */
  readonly reraise?: boolean;
  /** Called with what could not be removed; default: one line each on stderr. */
  readonly onError?: (errors: readonly Error[]) => void;
}

/**
 * On each of `signals`, destroys `topology` (default: every topology of this process, including one still being
 * created) synchronously, before anything else can end the process. Returns a function that removes the handlers.
 */
export function registerCleanupOnSignals(topology?: Topology, options: SignalCleanupOptions = {}): () => void {
  const signals = options.signals ?? ["SIGINT", "SIGTERM", "SIGHUP"];
  const onError =
    options.onError ??
    ((errors: readonly Error[]) => {
      for (const e of errors) process.stderr.write(`wirecost: cleanup: ${e.message}\n`);
    });
  const unregister = (): void => {
    for (const s of signals) process.removeListener(s, handler);
  };
  function handler(signal: NodeJS.Signals): void {
    unregister();
    let errors: Error[] = [];
    if (topology === undefined) {
      errors = destroyAllTopologiesSync();
    } else {
      try {
        topology.destroySync();
      } catch (err) {
        errors = [err as Error];
      }
    }
    if (errors.length > 0) onError(errors);
    if (options.reraise !== false && process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  }
  for (const s of signals) process.on(s, handler);
  return unregister;
}
