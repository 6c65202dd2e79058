/**
 * `npm run bench:generator`'s figures: per arm, client and rate the CPU per request over the repeats, h2load's on
 * the same server, their ratio, one core's capacity, and whether the generator kept its schedule; then issue 10's
 * targets judged on them. Pure: the runs (runs.ts) hand over samples, this turns them into text.
 */
import type { Protocol } from "../../contract/index.ts";
import type { RowKind } from "./options.ts";

/** One run of a client (or of h2load) at one rate. */
export interface Sample {
  /** The driver's CPU (user + sys) over the window ÷ verified answers in it. */
  readonly cpuUsPerRequest: number;
  readonly achievedRps: number;
  /**
   * Ours: the generator report's `saturated` verdict clear (it did not fall behind), and achieved ≥ 99% of the
   * offered rate or the server named as the limit (the sends left on time, the server did not keep up). h2load, which
   * has no lateness measure: ≥ 99% of the offered requests succeeded.
   */
  readonly onSchedule: boolean;
  /** Ours: the report named the server as the limit. Always false for h2load, which cannot tell. */
  readonly serverLimited: boolean;
  /** Why a run of ours was off schedule (the generator report's reasons); empty when on it, and for h2load. */
  readonly offScheduleReasons: readonly string[];
}

/** Every repeat of one row at one rate. */
export interface RowSamples {
  readonly protocol: Protocol;
  readonly kind: RowKind;
  readonly rps: number;
  readonly samples: readonly Sample[];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** "median (min–max)" of a few runs, so a reader sees the spread beside the median. */
export function spread(xs: readonly number[]): string {
  return xs.length < 2 ? median(xs).toFixed(1) : `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
}

/** The row's median CPU µs per request; null without a sample. */
export function cpuMedian(row: RowSamples | undefined): number | null {
  return row === undefined || row.samples.length === 0 ? null : median(row.samples.map((s) => s.cpuUsPerRequest));
}

/** One core's capacity: the requests per second one fully busy core could drive at the row's CPU per request. */
export function capacityRps(cpuUsPerRequest: number | null): number | null {
  return cpuUsPerRequest === null || !(cpuUsPerRequest > 0) ? null : 1e6 / cpuUsPerRequest;
}

/** h2load's row for the same arm and rate: the reference a client's ratio is taken against. */
export function referenceOf(all: readonly RowSamples[], row: RowSamples): RowSamples | undefined {
  return row.kind === "h2load" ? undefined : all.find((r) => r.kind === "h2load" && r.protocol === row.protocol && r.rps === row.rps);
}

/** Ours ÷ h2load's median CPU per request; null without both. */
export function ratioToH2load(all: readonly RowSamples[], row: RowSamples): number | null {
  const ours = cpuMedian(row);
  const theirs = cpuMedian(referenceOf(all, row));
  return ours === null || theirs === null || !(theirs > 0) ? null : ours / theirs;
}

/** "3/3", and how many of the repeats the server limited: "3/3 (server's limit 2)". */
export function onScheduleCount(row: RowSamples): string {
  const limited = row.samples.filter((s) => s.serverLimited).length;
  return `${row.samples.filter((s) => s.onSchedule).length}/${row.samples.length}${limited > 0 ? ` (server's limit ${limited})` : ""}`;
}

const DASH = "-";

export const TABLE_HEADER = [
  "| arm | client | rate req/s | CPU µs/req, median (min–max) | h2load µs/req | ÷ h2load | one core's capacity req/s | on schedule | achieved req/s |",
  "|---|---|---|---|---|---|---|---|---|",
];

/** One Markdown table line. */
export function tableLine(all: readonly RowSamples[], row: RowSamples): string {
  const cpu = row.samples.length === 0 ? DASH : spread(row.samples.map((s) => s.cpuUsPerRequest));
  const reference = cpuMedian(referenceOf(all, row));
  const ratio = ratioToH2load(all, row);
  const capacity = capacityRps(cpuMedian(row));
  const achieved = row.samples.length === 0 ? DASH : median(row.samples.map((s) => s.achievedRps)).toFixed(0);
  const cells = [
    row.protocol, row.kind, String(row.rps), cpu, reference === null ? DASH : reference.toFixed(1), ratio === null ? DASH : `${ratio.toFixed(2)}×`,
    capacity === null ? DASH : capacity.toFixed(0), row.samples.length === 0 ? DASH : onScheduleCount(row), achieved,
  ];
  return `| ${cells.join(" | ")} |`;
}
