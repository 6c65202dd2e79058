/**
 * Running the system tools that build a topology (ip, ethtool, tc, taskset), async and sync.
 *
 * Arguments are always passed as argv (execFile/spawnSync, no shell), every call has a timeout, and a failure
 * names the command and carries its stderr, so a broken step reads as one line in the error.
 * The sync variant exists for signal handlers, which must finish their cleanup before the process dies.
 */
import { type ChildProcess, execFile, spawnSync } from "node:child_process";

export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** A system command that failed, timed out or could not be started. */
export class CommandError extends Error {
  readonly command: readonly string[];
  readonly stderr: string;
  readonly exitCode: number | null;

  constructor(command: readonly string[], stderr: string, exitCode: number | null, detail: string) {
    const tail = stderr.trim().split("\n").slice(-3).join(" | ");
    super(`\`${command.join(" ")}\` ${detail}${tail === "" ? "" : `: ${tail}`}`);
    this.name = "CommandError";
    this.command = command;
    this.stderr = stderr;
    this.exitCode = exitCode;
  }
}

/**
 * `onChild` sees the child as soon as it is spawned (resources.ts waits for in-flight commands on a signal).
 * `input`, when given, is written to the command's stdin (e.g. a ruleset for `nft -f -`), which is then closed.
 */
export function run(
  file: string,
  args: readonly string[],
  timeoutMs: number = DEFAULT_COMMAND_TIMEOUT_MS,
  onChild?: (child: ChildProcess) => void,
  input?: string,
): Promise<CommandResult> {
  const command = [file, ...args];
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err === null) {
        resolve({ stdout, stderr });
        return;
      }
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: unknown };
      if (e.killed === true) {
        reject(new CommandError(command, stderr, null, `timed out after ${timeoutMs} ms`));
      } else if (typeof e.code === "number") {
        reject(new CommandError(command, stderr, e.code, `exited with code ${e.code}`));
      } else {
        reject(new CommandError(command, stderr, null, `could not run (${e.code ?? e.message})`));
      }
    });
    if (input !== undefined) {
      // An EPIPE (the command exited without reading) shows up as the command's own failure above.
      child.stdin?.on("error", () => {});
      child.stdin?.end(input);
    }
    onChild?.(child);
  });
}

export function runSync(
  file: string,
  args: readonly string[],
  timeoutMs: number = DEFAULT_COMMAND_TIMEOUT_MS,
): CommandResult {
  const command = [file, ...args];
  const r = spawnSync(file, args, { timeout: timeoutMs, killSignal: "SIGKILL", encoding: "utf8" });
  const stderr = r.stderr ?? "";
  if (r.error !== undefined) {
    const code = (r.error as NodeJS.ErrnoException).code;
    const detail = code === "ETIMEDOUT" ? `timed out after ${timeoutMs} ms` : `could not run (${code ?? r.error.message})`;
    throw new CommandError(command, stderr, null, detail);
  }
  if (r.status !== 0) {
    const detail = r.status === null ? `killed by ${r.signal ?? "a signal"}` : `exited with code ${r.status}`;
    throw new CommandError(command, stderr, r.status, detail);
  }
  return { stdout: r.stdout ?? "", stderr };
}

/** Whether `file` can be started at all (it exists on PATH and is executable). */
export function commandExists(file: string, probeArgs: readonly string[]): boolean {
  const r = spawnSync(file, probeArgs, { timeout: DEFAULT_COMMAND_TIMEOUT_MS, stdio: "ignore" });
  return r.error === undefined;
}
