import { ProcParseError } from "./reading.ts";

/** Counts keyed by CPU number (as a decimal string, the way JSON keys are), e.g. `{ "0": 12, "1": 7 }`. */
export type PerCpu = Readonly<Record<string, number>>;

/** Reads the CPU numbers from a `CPU0 CPU1 …` header (`/proc/softirqs`, `/proc/interrupts`). */
export function parseCpuHeader(line: string, file: string): number[] {
  const tokens = line.trim().split(/\s+/);
  return tokens.map((token) => {
    const match = /^CPU(\d+)$/.exec(token);
    if (match === null) throw new ProcParseError(`${file}: header token ${JSON.stringify(token)} is not CPUn`);
    return Number(match[1]);
  });
}

/** Sums every CPU's count. */
export function sumPerCpu(counts: PerCpu): number {
  let total = 0;
  for (const value of Object.values(counts)) total += value;
  return total;
}
