import { parseCpuHeader, type PerCpu } from "./per-cpu.ts";
import { column, ProcParseError } from "./reading.ts";

/** One line of `/proc/interrupts`. */
export interface InterruptLine {
  /** What precedes the colon: an IRQ number ("36") or a name ("LOC", "CAL", "ERR", "IPI0" …). */
  readonly id: string;
  /** The IRQ number for numbered lines, else null. */
  readonly irq: number | null;
  /** One 32-bit count per online CPU, keyed by CPU number; null for lines with a single global count (ERR, MIS). */
  readonly perCpu: PerCpu | null;
  /** The global count of single-count lines (ERR, MIS); null when the line has per-CPU counts. */
  readonly count: number | null;
  /** Everything after the counts, trimmed: chip, hwirq and handlers, or an IPI line's description. */
  readonly description: string;
  /** Handler (action) names of a numbered line, e.g. ["eth0-TxRx-0"] or ["i801_smbus", "ehci_hcd:usb1"]. */
  readonly devices: readonly string[];
}

/**
 * Parses `/proc/interrupts`: every line, numbered or named.
 *
 * Format (kernel/irq/proc.c `show_interrupts()` and arch `arch_show_interrupts()`): a header naming the *online* CPUs
 * (`CPU%-8d`), then per line `%*d:` or `%*s:`, one `%10u` per online CPU, then for numbered lines the chip name,
 * hwirq-type, and the handler names after two spaces joined by ", ". `ERR:` and `MIS:` print one global count.
 */
export function parseInterrupts(text: string): InterruptLine[] {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const [headerLine, ...rows] = lines;
  if (headerLine === undefined) throw new ProcParseError("interrupts: empty");
  const cpus = parseCpuHeader(headerLine, "interrupts");
  return rows.map((row) => parseLine(row, cpus));
}

function parseLine(row: string, cpus: readonly number[]): InterruptLine {
  const colon = row.indexOf(":");
  if (colon < 0) throw new ProcParseError(`interrupts: unrecognised line ${JSON.stringify(row)}`);
  const id = row.slice(0, colon).trim();
  let rest = row.slice(colon + 1);
  const counts: number[] = [];
  while (counts.length < cpus.length) {
    const match = /^\s*(\d+)(?=\s|$)/.exec(rest);
    if (match === null) break;
    counts.push(Number(match[1]));
    rest = rest.slice(match[0].length);
  }
  if (counts.length === 0) throw new ProcParseError(`interrupts: ${id} has no counts`);
  const description = rest.trim();
  const irq = /^\d+$/.test(id) ? Number(id) : null;
  let perCpu: Record<string, number> | null = null;
  let count: number | null = null;
  if (counts.length === cpus.length) {
    perCpu = {};
    for (const [i, cpu] of cpus.entries()) perCpu[String(cpu)] = column(counts, i, `interrupts: ${id}`);
  } else if (counts.length === 1) {
    count = column(counts, 0, `interrupts: ${id}`);
  } else {
    throw new ProcParseError(`interrupts: ${id} has ${counts.length} counts for ${cpus.length} CPUs`);
  }
  return { id, irq, perCpu, count, description, devices: irq === null ? [] : handlerNames(description) };
}

/** Handlers follow the last run of two or more spaces ("  %s", then ", %s" for shared lines). */
function handlerNames(description: string): string[] {
  const segments = description.split(/\s{2,}/);
  const last = segments.at(-1);
  if (segments.length < 2 || last === undefined) return [];
  return last.split(/,\s*/).filter((name) => name !== "");
}

/** Which lines belong to a NIC: by handler-name prefix (`eth0`, `eth0-TxRx-3`) and/or by MSI irq numbers. */
export interface InterruptSelector {
  /** Matches handler names equal to it or starting with it plus one of `-`, `:`, `@`, `_`, `.`. */
  readonly device?: string;
  /** IRQ numbers, e.g. from `/sys/class/net/<dev>/device/msi_irqs/` (names only some drivers put in handlers). */
  readonly irqs?: readonly number[];
}

/** Picks the lines matching a device name or a set of irq numbers (works on parsed lines and on their deltas). */
export function selectInterruptLines<T extends Pick<InterruptLine, "irq" | "devices">>(
  lines: readonly T[],
  selector: InterruptSelector,
): T[] {
  const irqs = new Set(selector.irqs ?? []);
  const device = selector.device;
  const nameMatches = (name: string): boolean =>
    device !== undefined &&
    (name === device || (name.startsWith(device) && "-:@_.".includes(name.charAt(device.length))));
  return lines.filter((line) => (line.irq !== null && irqs.has(line.irq)) || line.devices.some(nameMatches));
}
