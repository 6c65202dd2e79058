/**
 * A server the harness did not write (issue 12: a user's own, nginx): its command line with the run's placeholders
 * filled in, started like our servers through the topology's wrapper (its namespace, its CPU), judged ready when a
 * socket of its process tree listens on its port, and stopped with its whole tree — SIGTERM, then SIGKILL after a
 * grace period to every process of the tree that is still the one we started, so a server that ignores SIGTERM or
 * forks workers leaves nothing running, and a pid the system reused in the meantime is never touched.
 *
 * Readiness reads /proc/<pid>/net/tcp and tcp6, which show the sockets of that process's network namespace, and
 * matches their inodes against the tree's open sockets: no connection from the harness (which may not reach the
 * server's namespace), no request the server would count, and no mistaking another program's socket for its own.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import net from "node:net";
import { processTreeOf } from "../collector/process-tree.ts";
import { parseProcPidStat } from "../collector/parse-proc-pid-stat.ts";
import { describeExit, spawnTracked } from "../support/child-process.ts";
import type { Command, TrackedChild } from "../support/child-process.ts";

/**
 * A port to give a foreign server when the run asked for any (`--port 0`, or an entry without `port`): one the kernel
 * hands out on loopback, free there; a fresh server namespace has every port free.
 */
export async function anyPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** TCP_LISTEN in /proc/net/tcp's `st` column (include/net/tcp_states.h). */
const TCP_LISTEN = "0A";

/**
 * The inodes of the sockets listening on `port` in a /proc/net/tcp or tcp6 table: local_address is ADDR:PORT with
 * the port in hex, `st` the state, and the tenth column the socket's inode.
 */
export function listeningInodes(table: string, port: number): Set<string> {
  const inodes = new Set<string>();
  for (const line of table.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const inode = fields[9];
    if (local === undefined || inode === undefined || fields[3] !== TCP_LISTEN) continue;
    if (Number.parseInt(local.slice(local.lastIndexOf(":") + 1), 16) === port) inodes.add(inode);
  }
  return inodes;
}

/** The socket inodes `pid` holds open (its fd links read `socket:[INODE]`). */
function socketInodes(pid: number): string[] {
  const out: string[] = [];
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1] !== undefined) out.push(m[1]);
    } catch {
      // closed since the listing
    }
  }
  return out;
}

/**
 * Whether a process of the tree under `root` holds a socket listening on `port` — its own, not one that some other
 * program in the same namespace (loopback shares the host's) had open already.
 */
function treeListensOn(root: number, port: number): boolean {
  const tree = processTreeOf(root);
  const listening = new Set<string>();
  for (const table of ["tcp", "tcp6"]) {
    try {
      for (const inode of listeningInodes(readFileSync(`/proc/${root}/net/${table}`, "latin1"), port)) listening.add(inode);
    } catch {
      // No IPv6 in the namespace, or the process is gone: its exit is reported by its own promise.
    }
  }
  return listening.size > 0 && tree.some((pid) => socketInodes(pid).some((inode) => listening.has(inode)));
}

/** The start time of `pid` (clock ticks since boot), which tells the process we saw from a later one given its pid. */
function startTimeOf(pid: number): number | null {
  try {
    return parseProcPidStat(readFileSync(`/proc/${pid}/stat`, "latin1")).startTimeTicks;
  } catch {
    return null;
  }
}

export interface ForeignServerSpec {
  /** The server entry's name, which every error names. */
  readonly name: string;
  /** The command with its placeholders filled in. */
  readonly argv: readonly string[];
  readonly port: number;
  readonly readyTimeoutMs: number;
}

export interface ForeignServer {
  readonly child: TrackedChild;
  readonly pid: number;
  /** SIGTERM to the command, then SIGKILL to what is left of its tree after `graceMs`; resolves when all is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** How long a stop waits for SIGKILLed processes to be gone. */
const KILLED_WAIT_MS = 5_000;

/** How often readiness and a stop's progress are looked at. */
const POLL_MS = 25;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Synchronous, for exit paths (child-process.ts `killAllChildren`): SIGKILL to every process of the tree now. */
function killTreeNow(root: number): void {
  for (const pid of processTreeOf(root)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
}

/** Stops the tree under `root`: the processes seen now are the ones signalled, each checked by its start time. */
async function stopTree(child: TrackedChild, graceMs: number): Promise<void> {
  const tree = processTreeOf(child.pid).map((pid) => ({ pid, start: startTimeOf(pid) }));
  const ours = tree.filter((p) => p.start !== null);
  const alive = (): typeof ours => ours.filter((p) => startTimeOf(p.pid) === p.start);
  for (const p of ours) {
    try {
      process.kill(p.pid, "SIGTERM");
    } catch {
      // gone already
    }
  }
  const deadline = performance.now() + graceMs;
  while (alive().length > 0 && performance.now() < deadline) await sleep(POLL_MS);
  for (const p of alive()) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // gone between the look and the signal
    }
  }
  await child.exited;
  // A killed process is a zombie until its parent reaps it; the root is ours and is reaped by `exited`. One in
  // uninterruptible sleep dies when it wakes: wait for that a while, not for ever.
  const reaped = performance.now() + KILLED_WAIT_MS;
  while (alive().some((p) => readState(p.pid) !== "Z") && performance.now() < reaped) await sleep(POLL_MS);
}

function readState(pid: number): string | null {
  try {
    return parseProcPidStat(readFileSync(`/proc/${pid}/stat`, "latin1")).state;
  } catch {
    return null;
  }
}

/**
 * Starts `spec.argv` through `wrap` and resolves once a socket of its namespace listens on `spec.port`. Rejects with
 * one line naming the entry when the command cannot start, exits first, does not listen within the timeout, or
 * `signal` aborts the wait; its tree is stopped first.
 */
export async function startForeignServer(spec: ForeignServerSpec, wrap: (argv: string[]) => Command, graceMs = 2_000, signal?: AbortSignal): Promise<ForeignServer> {
  const [file] = spec.argv;
  if (file === undefined) throw new RangeError(`server entry ${spec.name}: the command is empty`);
  const child = spawnTracked(`server ${spec.name}`, wrap([...spec.argv]), undefined, undefined, () => killTreeNow(child.pid));
  // A chatty server must never block on a full pipe.
  child.process.stdout?.resume();
  const stop = (grace = graceMs): Promise<void> => stopTree(child, grace);
  const deadline = performance.now() + spec.readyTimeoutMs;
  for (;;) {
    if (child.hasExited()) {
      const exit = await child.exited;
      const tail = child.stderrTail();
      const spawnFailure = tail.find((line) => line.startsWith("spawn failed: "));
      if (spawnFailure !== undefined) {
        throw new Error(`server entry ${spec.name}: cannot run ${file} (${spawnFailure.slice("spawn failed: ".length)}); give the command's full path, or install it`);
      }
      throw new Error(`server entry ${spec.name}: ${describeExit(`its command (${file})`, exit, tail)}, before it listened on port ${spec.port}`);
    }
    if (treeListensOn(child.pid, spec.port)) return { child, pid: child.pid, stop };
    // The scenario gave up on it (Ctrl-C, its time limit): stop the tree now rather than poll on behind its back.
    if (signal?.aborted === true) {
      await stop();
      throw new Error(`server entry ${spec.name}: its start was abandoned (${String(signal.reason ?? "aborted")})`);
    }
    if (performance.now() >= deadline) {
      await stop();
      throw new Error(
        `server entry ${spec.name}: nothing listened on port ${spec.port} within ${spec.readyTimeoutMs} ms; check that the command listens on {port} at {host}, or raise readyTimeoutMs`,
      );
    }
    await sleep(POLL_MS);
  }
}
