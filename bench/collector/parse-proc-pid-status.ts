import { ProcParseError } from "./reading.ts";

/**
 * The fields of `/proc/<pid>/status` (or `/proc/<pid>/task/<tid>/status`) the collector uses.
 *
 * Context switches here are the one task's only — the main thread's for `/proc/<pid>/status`: sum
 * `/proc/<pid>/task/*\/status` for a process (docs/kernel-notes.md § "Per-thread counters"). Fields absent (kernel
 * threads have no VmRSS) are null.
 */
export interface PidStatus {
  readonly name: string | null;
  readonly threads: number | null;
  readonly voluntaryCtxtSwitches: number | null;
  readonly nonvoluntaryCtxtSwitches: number | null;
  /** e.g. "0-1" or "3". */
  readonly cpusAllowedList: string | null;
  readonly vmRssKiB: number | null;
  readonly vmHwmKiB: number | null;
}

export function parseProcPidStatus(text: string): PidStatus {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  if (fields.size === 0) throw new ProcParseError("pid status: no fields");
  const count = (key: string): number | null => {
    const value = fields.get(key);
    if (value === undefined) return null;
    if (!/^\d+$/.test(value)) throw new ProcParseError(`pid status: ${key} is ${JSON.stringify(value)}`);
    return Number(value);
  };
  const kib = (key: string): number | null => {
    const value = fields.get(key);
    if (value === undefined) return null;
    const match = /^(\d+) kB$/.exec(value);
    if (match === null) throw new ProcParseError(`pid status: ${key} is ${JSON.stringify(value)}`);
    return Number(match[1]);
  };
  return {
    name: fields.get("Name") ?? null,
    threads: count("Threads"),
    voluntaryCtxtSwitches: count("voluntary_ctxt_switches"),
    nonvoluntaryCtxtSwitches: count("nonvoluntary_ctxt_switches"),
    cpusAllowedList: fields.get("Cpus_allowed_list") ?? null,
    vmRssKiB: kib("VmRSS"),
    vmHwmKiB: kib("VmHWM"),
  };
}
