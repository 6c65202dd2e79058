/**
 * Issue 10's targets for the load generator, as data, and their verdicts on a bench:generator run's rows. Pure.
 * Every row of one of our clients is judged (h2load is the reference, not a subject), so the table says which
 * clients meet them, the default one (`--client wire`) first.
 */
import type { Protocol } from "../../contract/index.ts";
import type { RowSamples } from "./summary.ts";
import { capacityRps, cpuMedian, onScheduleCount, ratioToH2load } from "./summary.ts";

export const TARGETS = {
  /** Generator CPU per request at most `max` × h2load's on the same server, for these arms, at `rps`. */
  ratio: { rps: 20_000, max: 1.5, arms: ["http1", "h2c", "grpc"] as readonly Protocol[] },
  /** One generator core's capacity, 10^6 ÷ its CPU µs per request at `rps`, at least this per arm. */
  capacity: { rps: 20_000, min: { http1: 60_000, h2c: 60_000, "grpc-stream": 60_000, grpc: 40_000 } as Readonly<Partial<Record<Protocol, number>>> },
  /** On schedule (every repeat) at `rps` offered, every arm. */
  onSchedule: { rps: 40_000 },
} as const;

function verdict(met: boolean): string {
  return met ? "met" : "NOT MET";
}

/** Our rows at `rps` (h2load left out) for the arms `only` names (all when absent). */
function oursAt(rows: readonly RowSamples[], rps: number, only?: (p: Protocol) => boolean): RowSamples[] {
  return rows.filter((r) => r.kind !== "h2load" && r.rps === rps && r.samples.length > 0 && (only === undefined || only(r.protocol)));
}

function judged(label: string, rps: number, rows: readonly RowSamples[], cell: (r: RowSamples) => string): string {
  if (rows.length === 0) return `  ${label}: not measured (add ${rps} to --rates)`;
  return `  ${label}: ${rows.map((r) => `${r.protocol} ${r.kind} ${cell(r)}`).join(", ")}`;
}

/** One line per target, each row's figure and whether it meets it. */
export function targetLines(rows: readonly RowSamples[]): string[] {
  const { ratio, capacity, onSchedule } = TARGETS;
  const ratioRows = oursAt(rows, ratio.rps, (p) => ratio.arms.includes(p));
  const capacityRows = oursAt(rows, capacity.rps, (p) => capacity.min[p] !== undefined);
  const floors = Object.entries(capacity.min).map(([p, n]) => `${p} ≥ ${n}`).join(", ");
  return [
    "issue 10's targets (our clients; h2load is the reference):",
    judged(`CPU per request ≤ ${ratio.max}× h2load's at ${ratio.rps} req/s (${ratio.arms.join(", ")})`, ratio.rps, ratioRows, (r) => {
      const x = ratioToH2load(rows, r);
      return x === null ? "no h2load figure" : `${x.toFixed(2)}× ${verdict(x <= ratio.max)}`;
    }),
    judged(`one core's capacity at ${capacity.rps} req/s (${floors})`, capacity.rps, capacityRows, (r) => {
      const c = capacityRps(cpuMedian(r));
      const min = capacity.min[r.protocol] ?? 0;
      return c === null ? "no figure" : `${c.toFixed(0)} ${verdict(c >= min)}`;
    }),
    judged(`on schedule at ${onSchedule.rps} req/s, every repeat`, onSchedule.rps, oursAt(rows, onSchedule.rps), (r) => {
      return `${onScheduleCount(r)} ${verdict(r.samples.every((s) => s.onSchedule))}`;
    }),
  ];
}
