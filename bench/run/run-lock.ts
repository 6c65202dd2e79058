/**
 * One run at a time. Two runs on one machine skew each other's figures: with the default CPUs both pin their servers
 * to the last CPU and their generators to CPU 0 (the contamination guard once caught 21 905 excess packets, matching
 * a capture of the other run's 21 867). Each `npm run bench` registers itself in a directory of running benches
 * before it makes anything; a later one refuses to start, naming the running one, unless it is told
 * `--allow-concurrent` and runs on CPUs the running ones do not use. The entry is removed when the run ends; one left
 * by a killed run is recognised by its owner being gone (pid and start time, bench/topology/state.ts) and dropped.
 *
 * The directory is /run/wirecost-runs for root, else wirecost-runs-<uid> in the temp directory; WIRECOST_RUNS_DIR
 * names another (the tests give each of their workers its own, as their short runs share the CPUs by design).
 */
import { mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../support/errors.ts";
import { ownerStatus, readProcStartTime } from "../topology/state.ts";

export interface RunEntry {
  readonly pid: number;
  /** Clock ticks after boot at which the process started; null when /proc could not be read. */
  readonly startTime: number | null;
  /** null until the run has one (the topology makes it). */
  readonly runId: string | null;
  /** ISO time of registration; with the pid, it orders two runs that start together. */
  readonly since: string;
  /** The server's and the generator's CPUs. */
  readonly cpus: readonly number[];
  readonly allowConcurrent: boolean;
}

export function runsDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.WIRECOST_RUNS_DIR !== undefined && env.WIRECOST_RUNS_DIR !== "") return env.WIRECOST_RUNS_DIR;
  const uid = process.getuid?.() ?? 0;
  return uid === 0 ? "/run/wirecost-runs" : join(tmpdir(), `wirecost-runs-${uid}`);
}

/** Whether `other` registered before `me`: the earlier run goes on, the later one is judged. */
function earlier(other: RunEntry, me: RunEntry): boolean {
  return other.since < me.since || (other.since === me.since && other.pid < me.pid);
}

function describeRun(e: RunEntry): string {
  return `pid ${e.pid}, run ${e.runId ?? "starting"}, since ${e.since}, CPUs ${e.cpus.join(",")}`;
}

/** Why `me` may not start beside the live runs `others`, or null. Pure. */
export function concurrencyRefusal(me: RunEntry, others: readonly RunEntry[]): string | null {
  const before = others.filter((o) => o.pid !== me.pid && earlier(o, me));
  const first = before[0];
  if (first === undefined) return null;
  if (!me.allowConcurrent) {
    return `another npm run bench is running (${describeRun(first)}), and two runs skew each other's figures; wait for it to finish, or give this run CPUs it does not use (--server-cpu, --client-cpu) and --allow-concurrent`;
  }
  const overlap = before.find((o) => o.cpus.some((c) => me.cpus.includes(c)));
  if (overlap === undefined) return null;
  return `--allow-concurrent: this run's CPUs ${me.cpus.join(",")} overlap those of the running one (${describeRun(overlap)}); give --server-cpu and --client-cpu it does not use`;
}

function readEntry(file: string): RunEntry | null {
  try {
    const e = JSON.parse(readFileSync(file, "utf8")) as RunEntry;
    return typeof e.pid === "number" && typeof e.since === "string" && Array.isArray(e.cpus) ? e : null;
  } catch {
    return null;
  }
}

export interface RunRegistration {
  /** Records the run id once the topology has made it. */
  setRunId(runId: string): void;
  /** Removes the entry; safe to call twice, and from a signal handler. */
  release(): void;
}

/**
 * Registers this process as a running bench, or throws a one-line UsageError (exit 2) naming the running one. Entries
 * whose owner is gone are removed on the way.
 */
export function registerRun(cpus: readonly number[], allowConcurrent: boolean, dir: string = runsDir()): RunRegistration {
  const file = join(dir, `${process.pid}.json`);
  let me: RunEntry = { pid: process.pid, startTime: readProcStartTime(process.pid), runId: null, since: new Date().toISOString(), cpus: [...cpus], allowConcurrent };
  const create = (): void => {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    // An entry under this pid is a dead process's whose pid came round again: ours now.
    rmSync(file, { force: true });
    writeFileSync(file, JSON.stringify(me), { flag: "wx", mode: 0o644 });
  };
  try {
    try {
      create();
    } catch (error) {
      // The last run to end removes the empty directory; one doing so between our mkdir and open: once more.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      create();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError("WC_BUSY", `cannot register this run in ${dir} (${code}), where runs see each other; make it writable, or set WIRECOST_RUNS_DIR to a directory that is`);
  }
  const others: RunEntry[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".json") || name === `${process.pid}.json`) continue;
    const path = join(dir, name);
    const entry = readEntry(path);
    if (entry === null || ownerStatus({ ownerPid: entry.pid, ownerStartTime: entry.startTime }) !== "alive") {
      // A killed run's, or unreadable: nothing holds it.
      if (entry !== null) rmSync(path, { force: true });
      continue;
    }
    others.push(entry);
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    rmSync(file, { force: true });
    try {
      // Nothing is left behind by the last run; another's entry keeps the directory (ENOTEMPTY).
      rmdirSync(dir);
    } catch {
      // Not empty, or gone already.
    }
  };
  const refusal = concurrencyRefusal(me, others);
  if (refusal !== null) {
    release();
    throw new UsageError("WC_BUSY", refusal);
  }
  return {
    setRunId(runId) {
      if (released) return;
      me = { ...me, runId };
      writeFileSync(file, JSON.stringify(me));
    },
    release,
  };
}
