/**
 * The per-run state file, `/run/wirecost/<runId>.json`: who owns a run's namespaces and links, so a later start
 * (or `npm run cleanup`) can tell a live run from the remains of a killed one.
 *
 * The owner is a pid plus its start time (field 22 of /proc/<pid>/stat, fs/proc/array.c), so a reused pid is not
 * mistaken for the owner. The file is written before anything is created and removed after everything is gone.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const STATE_DIR = "/run/wirecost";

export interface RunState {
  readonly version: 1;
  readonly runId: string;
  readonly kind: string;
  readonly ownerPid: number;
  /** Clock ticks after boot at which the owner started; null when /proc could not be read. */
  readonly ownerStartTime: number | null;
  readonly createdAt: string;
  readonly subnetIndex: number | null;
  /** Every namespace the run may create, listed before creation. */
  readonly namespaces: readonly string[];
  /** Every host-namespace link the run may create, listed before creation. */
  readonly hostLinks: readonly string[];
}

export type OwnerStatus = "alive" | "dead" | "pid-reused";

export function stateFilePath(runId: string): string {
  return path.join(STATE_DIR, `${runId}.json`);
}

/** Field 22 (`starttime`) of a /proc/<pid>/stat line; fields are counted after the `(comm)` which may hold spaces. */
export function parseProcStatStartTime(text: string): number {
  const close = text.lastIndexOf(")");
  if (close < 0) throw new SyntaxError("no `(comm)` in /proc/<pid>/stat");
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const value = Number(fields[19]);
  if (fields.length < 20 || !Number.isSafeInteger(value)) throw new SyntaxError("no starttime in /proc/<pid>/stat");
  return value;
}

export function readProcStartTime(pid: number): number | null {
  try {
    return parseProcStatStartTime(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

/** True for a zombie (Z) or dead (X) task: it has exited, only its parent has not reaped it (proc(5) field 3). */
export function isExitedTaskStat(text: string): boolean {
  const close = text.lastIndexOf(")");
  const state = close < 0 ? "" : text.slice(close + 2, close + 3);
  return state === "Z" || state === "X";
}

function ownerHasExited(pid: number): boolean {
  try {
    return isExitedTaskStat(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

export function ownerStatus(state: Pick<RunState, "ownerPid" | "ownerStartTime">): OwnerStatus {
  const now = readProcStartTime(state.ownerPid);
  if (now === null || ownerHasExited(state.ownerPid)) return "dead";
  if (state.ownerStartTime !== null && now !== state.ownerStartTime) return "pid-reused";
  return "alive";
}

/** Writes the state file atomically and exclusively: a second run with the same id fails here, before creating anything. */
export function writeStateFile(state: RunState): string {
  fs.mkdirSync(STATE_DIR, { recursive: true, mode: 0o755 });
  const target = stateFilePath(state.runId);
  const temp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  try {
    fs.linkSync(temp, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      throw new Error(`run id ${state.runId} is already in use (${target} exists); pick another run id or run cleanup`);
    }
    throw err;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  return target;
}

export function removeStateFile(runId: string): void {
  fs.rmSync(stateFilePath(runId), { force: true });
}

export interface StateFileEntry {
  readonly runId: string;
  readonly path: string;
  /** null when the file could not be parsed. */
  readonly state: RunState | null;
}

export function readStateFiles(): StateFileEntry[] {
  let names: string[];
  try {
    names = fs.readdirSync(STATE_DIR);
  } catch {
    return [];
  }
  const entries: StateFileEntry[] = [];
  for (const name of names) {
    if (!name.endsWith(".json")) continue;
    const file = path.join(STATE_DIR, name);
    let state: RunState | null = null;
    try {
      const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as RunState;
      if (parsed.version === 1 && typeof parsed.ownerPid === "number") state = parsed;
    } catch {
      state = null;
    }
    entries.push({ runId: name.slice(0, -".json".length), path: file, state });
  }
  return entries;
}
