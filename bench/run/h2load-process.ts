/**
 * h2load as a child process: its version, a closed-loop priming run, and the measured run. The one I/O edge of
 * `--driver h2load`; the command line, the log and the stdout are read by the pure files in bench/load/h2load-*.ts.
 *
 * The measured run starts behind a gate, `sh -c 'read -r _ && exec "$0" "$@"' h2load …`: the shell waits for a line
 * on stdin, then execs h2load in its place. `ip netns exec` and `taskset` exec too, so the pid known at spawn is
 * h2load's for the collector's /proc reads, and the idle baseline is taken before h2load opens a connection. If the
 * harness dies, stdin closes, `read` fails and h2load never starts.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { parseProcPidStat, userHz } from "../collector/index.ts";
import { parseH2loadLog } from "../load/h2load-log.ts";
import type { H2loadLogLine } from "../load/h2load-log.ts";
import { h2loadPhaseOf, parseH2loadVersion } from "../load/h2load-output.ts";
import { H2LOAD_PROGRAM } from "../load/h2load-argv.ts";
import type { PrimeOutcome } from "../load/prime.ts";
import type { CpuWindow } from "../load/report.ts";
import { describeExit, spawnTracked, withTimeout } from "../support/child-process.ts";
import type { Command, TrackedChild } from "../support/child-process.ts";

const run = promisify(execFile);

/** "1.52.0"; throws when h2load does not answer `--version` as nghttp2's h2load does. */
export async function h2loadVersion(): Promise<string> {
  const { stdout } = await run(H2LOAD_PROGRAM, ["--version"], { timeout: 10_000 });
  const version = parseH2loadVersion(stdout);
  if (version === null) throw new Error(`h2load --version said ${JSON.stringify(stdout.trim())}, not "h2load nghttp2/<version>"`);
  return version;
}

function readLog(path: string): H2loadLogLine[] {
  try {
    return parseH2loadLog(readFileSync(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/**
 * Runs `argv` (h2load's priming command line, closed loop) to its end or `maxMs`, whichever is first, and counts its
 * log: the same outcome our generator's priming reports.
 */
export async function primeWithH2load(argv: string[], logPath: string, requested: number, maxMs: number, wrap: (argv: string[]) => Command): Promise<PrimeOutcome> {
  const started = performance.now();
  const child = spawnTracked("h2load (priming)", wrap(argv));
  child.process.stdout?.resume();
  let timedOut = false;
  const exit = await withTimeout(child.exited, maxMs, "priming timed out").catch(async () => {
    timedOut = true;
    return child.stop(2000);
  });
  if (!timedOut && exit.code !== 0) throw new Error(describeExit("h2load (priming)", exit, child.stderrTail()));
  const lines = readLog(logPath);
  const completed = lines.filter((l) => l.status >= 200 && l.status <= 299).length;
  return { requested, completed, failed: lines.length - completed, elapsedMs: performance.now() - started, timedOut };
}

export type H2loadPhaseListener = (phase: "measure" | "drain", epochMs: number) => void;

export interface H2loadRunOutput {
  readonly stdout: string;
  readonly lines: readonly H2loadLogLine[];
  /**
   * Epoch ms: from when the harness read h2load's "Main benchmark duration is started" line, `windowMs` long. The
   * collector's window edges too.
   */
  readonly window: { readonly startEpochMs: number; readonly endEpochMs: number };
  /** h2load's CPU over the window, from /proc/<pid>/stat. */
  readonly cpu: CpuWindow;
}

export interface H2loadProcess {
  readonly child: TrackedChild;
  /** h2load's pid (the gate's until it execs). */
  readonly pid: number;
  /** Opens the gate and resolves once h2load has exited 0 with its window, log and CPU; rejects if it fails. */
  run(onPhase: H2loadPhaseListener): Promise<H2loadRunOutput>;
}

/** h2load's utime and stime so far (every thread's, exited ones included); a failed read is reported, not thrown from a stream event. */
function cpuOf(pid: number): CpuWindow | Error {
  try {
    return cpuReading(pid);
  } catch (error) {
    return new Error(`could not read h2load's CPU from /proc/${pid}/stat: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function cpuReading(pid: number): CpuWindow {
  const stat = parseProcPidStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  const usPerTick = 1_000_000 / userHz();
  return { userUs: stat.utimeTicks * usPerTick, sysUs: stat.stimeTicks * usPerTick };
}

/**
 * Spawns the gate with h2load's `argv` behind it; nothing is sent until `run`. The window opens when h2load says its
 * main duration started and closes `windowMs` later by the harness's clock, while h2load still runs
 * (bench/load/h2load-argv.ts H2LOAD_DRAIN_MS).
 */
export function startH2load(argv: string[], logPath: string, windowMs: number, wrap: (argv: string[]) => Command): H2loadProcess {
  const child = spawnTracked("h2load", wrap(["sh", "-c", 'read -r _ && exec "$0" "$@"', ...argv]));
  let stdout = "";
  let pending = "";
  let listener: H2loadPhaseListener = () => {};
  const edges: { start?: number; end?: number; cpuStart?: CpuWindow | Error; cpuEnd?: CpuWindow | Error } = {};
  let closer: NodeJS.Timeout | undefined;
  const close = (endEpochMs: number): void => {
    edges.end = endEpochMs;
    edges.cpuEnd = cpuOf(child.pid);
    listener("drain", endEpochMs);
  };
  child.process.stdout?.on("data", (chunk: Buffer) => {
    const text = chunk.toString();
    stdout += text;
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (h2loadPhaseOf(line) !== "measure" || edges.start !== undefined) continue;
      const start = performance.timeOrigin + performance.now();
      edges.start = start;
      edges.cpuStart = cpuOf(child.pid);
      listener("measure", start);
      closer = setTimeout(() => close(start + windowMs), start + windowMs - (performance.timeOrigin + performance.now()));
    }
  });
  void child.exited.then(() => clearTimeout(closer));
  return {
    child,
    pid: child.pid,
    async run(onPhase) {
      listener = onPhase;
      child.process.stdin?.write("\n");
      const exit = await child.exited;
      const printed = stdout.trim().split("\n").slice(-3).join(" | ");
      if (exit.code !== 0) throw new Error(`${describeExit("h2load", exit, child.stderrTail())}; it printed last: ${printed}`);
      const { start, end, cpuStart, cpuEnd } = edges;
      if (start === undefined || cpuStart === undefined) {
        throw new Error(`h2load exited without starting its main duration; it printed last: ${printed}`);
      }
      if (end === undefined || cpuEnd === undefined) throw new Error(`h2load exited before the ${windowMs} ms window closed`);
      if (cpuStart instanceof Error) throw cpuStart;
      if (cpuEnd instanceof Error) throw cpuEnd;
      return {
        stdout,
        lines: readLog(logPath),
        window: { startEpochMs: start, endEpochMs: end },
        cpu: { userUs: cpuEnd.userUs - cpuStart.userUs, sysUs: cpuEnd.sysUs - cpuStart.sysUs },
      };
    },
  };
}
