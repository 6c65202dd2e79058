import { column, ProcParseError } from "./reading.ts";

/**
 * One `cpu` line of `/proc/stat`, in USER_HZ ticks (`getconf CLK_TCK`, 100 here). Fields a kernel does not print
 * are null: iowait/irq/softirq appeared in 2.5.41, steal 2.6.11, guest 2.6.24, guest_nice 2.6.33.
 *
 * guest and guest_nice are already inside user and nice (fs/proc/stat.c), so never add them again. Without
 * `CONFIG_IRQ_TIME_ACCOUNTING`, irq/softirq are tick samples, and the same time is also charged to the task it
 * interrupted (docs/kernel-notes.md § "IRQ time accounting").
 */
export interface CpuTimes {
  readonly userTicks: number;
  readonly niceTicks: number;
  readonly systemTicks: number;
  readonly idleTicks: number;
  readonly iowaitTicks: number | null;
  readonly irqTicks: number | null;
  readonly softirqTicks: number | null;
  readonly stealTicks: number | null;
  readonly guestTicks: number | null;
  readonly guestNiceTicks: number | null;
}

/** The fields every kernel prints (numbers), in the line's order. */
export const CPU_TIMES_ALWAYS = ["userTicks", "niceTicks", "systemTicks", "idleTicks"] as const satisfies readonly (keyof CpuTimes)[];

/** The fields later kernels added (null where not printed), in the line's order after `CPU_TIMES_ALWAYS`. */
export const CPU_TIMES_LATER = [
  "iowaitTicks",
  "irqTicks",
  "softirqTicks",
  "stealTicks",
  "guestTicks",
  "guestNiceTicks",
] as const satisfies readonly (keyof CpuTimes)[];

export interface ProcStat {
  /** The aggregate `cpu` line. */
  readonly total: CpuTimes;
  /** `cpuN` lines keyed by N (online CPUs only). */
  readonly cpus: Readonly<Record<string, CpuTimes>>;
  /** Context switches since boot, all CPUs. */
  readonly ctxt: number | null;
  /** First number of the `intr` line: all interrupts since boot (the per-irq columns are not kept). */
  readonly intrTotal: number | null;
  /** First number of the `softirq` line. */
  readonly softirqTotal: number | null;
  /** Forks since boot. */
  readonly processes: number | null;
  /** Gauges. */
  readonly procsRunning: number | null;
  readonly procsBlocked: number | null;
  readonly bootTimeEpochS: number | null;
}

export function parseProcStat(text: string): ProcStat {
  let total: CpuTimes | null = null;
  const cpus: Record<string, CpuTimes> = {};
  const scalars = new Map<string, number>();
  for (const line of text.split("\n")) {
    const space = line.indexOf(" ");
    if (space <= 0) continue;
    const key = line.slice(0, space);
    if (key.startsWith("cpu")) {
      const numbers = line.slice(space + 1).trim().split(/\s+/);
      if (key === "cpu") total = cpuTimes(numbers, line);
      else if (/^cpu\d+$/.test(key)) cpus[key.slice(3)] = cpuTimes(numbers, line);
      continue;
    }
    // Only the first number of a line is kept: `intr` and `softirq` go on with one column per irq/type, and on
    // big machines `intr` has thousands — not worth splitting at 10 Hz.
    const match = /^\s*(\d+)/.exec(line.slice(space));
    if (match !== null) scalars.set(key, Number(match[1]));
  }
  if (total === null) throw new ProcParseError("stat: no aggregate cpu line");
  const scalar = (key: string): number | null => scalars.get(key) ?? null;
  return {
    total,
    cpus,
    ctxt: scalar("ctxt"),
    intrTotal: scalar("intr"),
    softirqTotal: scalar("softirq"),
    processes: scalar("processes"),
    procsRunning: scalar("procs_running"),
    procsBlocked: scalar("procs_blocked"),
    bootTimeEpochS: scalar("btime"),
  };
}

function cpuTimes(tokens: readonly string[], line: string): CpuTimes {
  if (tokens.length < 4) throw new ProcParseError(`stat: too few fields in ${JSON.stringify(line)}`);
  const values = tokens.map((token) => {
    if (!/^\d+$/.test(token)) throw new ProcParseError(`stat: ${JSON.stringify(token)} in ${JSON.stringify(line)}`);
    return Number(token);
  });
  const at = (i: number): number | null => values[i] ?? null;
  return {
    userTicks: column(values, 0, "stat user"),
    niceTicks: column(values, 1, "stat nice"),
    systemTicks: column(values, 2, "stat system"),
    idleTicks: column(values, 3, "stat idle"),
    iowaitTicks: at(4),
    irqTicks: at(5),
    softirqTicks: at(6),
    stealTicks: at(7),
    guestTicks: at(8),
    guestNiceTicks: at(9),
  };
}
