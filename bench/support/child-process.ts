/**
 * Children the harness starts (servers, generators): each is tracked until it exits, keeps the last lines of its
 * stderr for error messages, and can be stopped with SIGTERM then SIGKILL. `killAllChildren` is for signal
 * handlers: nothing the harness started may outlive it.
 */
import { spawn } from "node:child_process";
import type { ChildProcess, ChildProcessByStdio, StdioOptions } from "node:child_process";
import type { Readable, Writable } from "node:stream";

export interface Command {
  readonly file: string;
  readonly args: readonly string[];
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface TrackedChild {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  readonly hasExited: () => boolean;
  /** The last lines the child wrote to stderr. */
  stderrTail(): string[];
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<ExitInfo>;
}

const live = new Set<TrackedChild>();
const hardKills = new Map<TrackedChild, () => void>();
const STDERR_LINES_KEPT = 20;

/**
 * The child's descriptor that `spawnTracked`'s `privateInput` arrives on: the first after stdin, stdout and stderr.
 * `ip netns exec`, `taskset` and `nice` exec their command without closing descriptors, so it reaches the program
 * they wrap.
 */
export const PRIVATE_INPUT_FD = 3;

export function describeExit(name: string, exit: ExitInfo, stderr: readonly string[]): string {
  const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const tail = stderr.length > 0 ? `; last stderr: ${stderr.slice(-5).join(" | ")}` : "";
  return `${name} ${how}${tail}`;
}

/**
 * `privateInput`, when given, is written to the child's PRIVATE_INPUT_FD and that pipe closed: for what must not be in
 * a command line (/proc/PID/cmdline is readable by every local user), such as a TLS key.
 */
export function spawnTracked(
  name: string,
  command: Command,
  onStderrLine?: (line: string) => void,
  privateInput?: string,
  /** What `killAllChildren` does instead of SIGKILLing the child alone: a server that forks kills its tree. */
  hardKill?: () => void,
): TrackedChild {
  const stdio: StdioOptions = privateInput === undefined ? ["pipe", "pipe", "pipe"] : ["pipe", "pipe", "pipe", "pipe"];
  // stdin, stdout and stderr are pipes either way, so none of them is null.
  const child = spawn(command.file, [...command.args], { stdio }) as ChildProcessByStdio<Writable, Readable, Readable>;
  const tail: string[] = [];
  let pendingErr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    pendingErr += chunk.toString();
    const lines = pendingErr.split("\n");
    pendingErr = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      tail.push(line);
      if (tail.length > STDERR_LINES_KEPT) tail.shift();
      onStderrLine?.(line);
    }
  });
  let done = false;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("error", (error) => {
      tail.push(`spawn failed: ${error.message}`);
      done = true;
      resolve({ code: null, signal: null });
    });
    child.once("exit", (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  // A child that dies closes its pipes; writes to its stdin must not crash the harness.
  child.stdin.on("error", () => {});
  if (privateInput !== undefined) {
    const input = child.stdio[PRIVATE_INPUT_FD] as Writable;
    input.on("error", () => {});
    input.end(privateInput);
  }
  const tracked: TrackedChild = {
    name,
    process: child,
    pid: child.pid ?? -1,
    exited,
    hasExited: () => done,
    stderrTail: () => (pendingErr.trim() === "" ? [...tail] : [...tail, pendingErr]),
    async stop(graceMs = 5000) {
      if (!done) child.kill("SIGTERM");
      const timer = setTimeout(() => {
        if (!done) child.kill("SIGKILL");
      }, graceMs);
      const info = await exited;
      clearTimeout(timer);
      return info;
    },
  };
  live.add(tracked);
  if (hardKill !== undefined) hardKills.set(tracked, hardKill);
  void exited.then(() => {
    live.delete(tracked);
    hardKills.delete(tracked);
  });
  return tracked;
}

/** Synchronous, for signal handlers and exit paths: SIGKILL every child still running. */
export function killAllChildren(): number {
  let n = 0;
  for (const child of live) {
    if (!child.hasExited()) {
      const hardKill = hardKills.get(child);
      if (hardKill === undefined) child.process.kill("SIGKILL");
      else hardKill();
      n++;
    }
  }
  return n;
}

/** Rejects with `message` after `ms`, unless `promise` settles first; the timer never keeps the process alive. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
