import { parseCpuHeader, type PerCpu } from "./per-cpu.ts";
import { column, ProcParseError } from "./reading.ts";

/** Softirq *runs* per type (`NET_RX`, `NET_TX`, `TIMER` …) per CPU. */
export type SoftirqTable = Readonly<Record<string, PerCpu>>;

/**
 * Parses `/proc/softirqs` (fs/proc/softirqs.c): a `CPU0 CPU1 …` header over every *possible* CPU, then one line per
 * softirq type with one `%10u` count per CPU. The counts are 32-bit per CPU (`kstat_softirqs_cpu()` returns
 * `unsigned int`) and wrap; keyed by the CPU number in the header, not by column position.
 */
export function parseSoftirqs(text: string): SoftirqTable {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const [headerLine, ...rows] = lines;
  if (headerLine === undefined) throw new ProcParseError("softirqs: empty");
  const cpus = parseCpuHeader(headerLine, "softirqs");
  const out: Record<string, PerCpu> = {};
  for (const row of rows) {
    const colon = row.indexOf(":");
    if (colon < 0) throw new ProcParseError(`softirqs: unrecognised line ${JSON.stringify(row)}`);
    const name = row.slice(0, colon).trim();
    const values = row.slice(colon + 1).trim().split(/\s+/);
    if (values.length !== cpus.length) {
      throw new ProcParseError(`softirqs: ${name} has ${values.length} counts for ${cpus.length} CPUs`);
    }
    const perCpu: Record<string, number> = {};
    cpus.forEach((cpu, i) => {
      const token = column(values, i, `softirqs: ${name}`);
      if (!/^\d+$/.test(token)) throw new ProcParseError(`softirqs: ${name} count ${JSON.stringify(token)}`);
      perCpu[String(cpu)] = Number(token);
    });
    out[name] = perCpu;
  }
  return out;
}
