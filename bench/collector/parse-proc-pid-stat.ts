import { ProcParseError } from "./reading.ts";

/**
 * The fields of `/proc/<pid>/stat` the collector uses (fs/proc/array.c `do_task_stat()`; proc(5) numbers them).
 * For a process (not a task) utime/stime cover every thread, including ones that have exited.
 */
export interface PidStat {
  readonly pid: number;
  /** Between the first '(' and the *last* ')': it may itself contain spaces and parentheses. */
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  /** Field 14/15, USER_HZ ticks. */
  readonly utimeTicks: number;
  readonly stimeTicks: number;
  /** Field 16/17: waited-for children, ticks. */
  readonly cutimeTicks: number;
  readonly cstimeTicks: number;
  /** Field 20. */
  readonly numThreads: number;
  /** Field 22: start time after boot, ticks — identifies the process across pid reuse. */
  readonly startTimeTicks: number;
  /** Field 23. */
  readonly vsizeBytes: number;
  /** Field 24, pages. */
  readonly rssPages: number;
  /** Field 39: CPU last run on. */
  readonly processor: number | null;
  /** Field 42: block I/O delay, ticks. */
  readonly delayacctBlkioTicks: number | null;
}

export function parseProcPidStat(text: string): PidStat {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) throw new ProcParseError(`pid stat: no (comm) in ${JSON.stringify(text)}`);
  const pid = Number(text.slice(0, open).trim());
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const field = (n: number): number => {
    const token = rest[n - 3];
    if (token === undefined || !/^-?\d+$/.test(token)) {
      throw new ProcParseError(`pid stat: field ${n} is ${JSON.stringify(token)}`);
    }
    return Number(token);
  };
  const optional = (n: number): number | null => (rest[n - 3] === undefined ? null : field(n));
  if (!Number.isInteger(pid)) throw new ProcParseError(`pid stat: pid ${JSON.stringify(text.slice(0, open))}`);
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0] ?? "",
    ppid: field(4),
    utimeTicks: field(14),
    stimeTicks: field(15),
    cutimeTicks: field(16),
    cstimeTicks: field(17),
    numThreads: field(20),
    startTimeTicks: field(22),
    vsizeBytes: field(23),
    rssPages: field(24),
    processor: optional(39),
    delayacctBlkioTicks: optional(42),
  };
}
