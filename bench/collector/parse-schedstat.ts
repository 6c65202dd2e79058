import { ProcParseError } from "./reading.ts";

/**
 * `/proc/<pid>/schedstat` or `/proc/<pid>/task/<tid>/schedstat` (fs/proc/base.c `proc_pid_schedstat()`, needs
 * `CONFIG_SCHED_INFO`): nanoseconds on the CPU, nanoseconds runnable but waiting, and timeslices run.
 * This is the *task's* (thread's) figure: sum the tasks for a process. Precise, unlike tick-sampled utime/stime.
 */
export interface Schedstat {
  readonly runNs: number;
  readonly waitNs: number;
  readonly timeslices: number;
}

export function parseSchedstat(text: string): Schedstat {
  const tokens = text.trim().split(/\s+/);
  if (tokens.length < 3 || !tokens.slice(0, 3).every((token) => /^\d+$/.test(token))) {
    throw new ProcParseError(`schedstat: ${JSON.stringify(text)}`);
  }
  return { runNs: Number(tokens[0]), waitNs: Number(tokens[1]), timeslices: Number(tokens[2]) };
}
