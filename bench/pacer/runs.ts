/**
 * `npm run bench:pacer`'s measurements: one child process per run (bench/pacer/child.ts), pinned to one CPU with the
 * generator's V8 flags, as the generator child runs; and the median and spread of a few runs. Pure but for
 * `runPacerChild`.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LatencySummaryUs } from "../load/histogram.ts";
import { GENERATOR_NODE_FLAGS } from "../load/generator-process.ts";
import type { PacingStrategy } from "../load/pacer.ts";

export interface PacerRun {
  readonly strategy: PacingStrategy;
  readonly rps: number;
  readonly durationMs: number;
  /** The sleeper thread's timerslack_ns, or "default" (the worker strategy only). */
  readonly timerSlack: string;
  /** The worker pacer's least time between wakes, µs; null for its default (or another strategy). */
  readonly minIntervalUs: number | null;
  /** CPU burnt on the event loop per due time, µs: a stand-in for a send. */
  readonly workUs: number;
  readonly latenessUs: LatencySummaryUs;
  /** The whole process (every thread) over the measured part, % of one core. */
  readonly cpuPct: number;
  /** The worker pacer's learned lead at the end, µs; null for the other strategies. */
  readonly leadUs: number | null;
  /** The worker's sleeper thread's timerslack_ns as it read it back; null for the other strategies. */
  readonly timerSlackNs: number | null;
}

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));

/** What one run measures: a strategy and, for the worker, its sleeper's timer slack and least wake interval. */
export interface PacerVariant {
  readonly strategy: PacingStrategy;
  /** "1" or "default". */
  readonly timerSlack: string;
  /** µs, or "default". */
  readonly minInterval: string;
}

/** One run; `cpu` null leaves it unpinned (no taskset). Throws with the child's stderr when it fails. */
export function runPacerChild(v: PacerVariant, rps: number, durationMs: number, workUs: number, cpu: number | null): PacerRun {
  const { strategy } = v;
  const argv = [process.execPath, ...GENERATOR_NODE_FLAGS, CHILD, strategy, String(rps), String(durationMs), v.timerSlack, v.minInterval, String(workUs)];
  const [file, ...args] = cpu === null ? argv : ["taskset", "-c", String(cpu), ...argv];
  const r = spawnSync(file as string, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`pacer run ${strategy} at ${rps} req/s failed: ${(r.stderr || r.error?.message || "").trim().split("\n").slice(-3).join(" | ")}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "") as PacerRun;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** "median (min–max)" of a few runs, so a reader sees the spread beside the median. */
export function spread(xs: readonly number[], digits = 0): string {
  const m = median(xs).toFixed(digits);
  return xs.length < 2 ? m : `${m} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
}

/** The markdown row of one strategy at one rate over its runs; CPU beyond the stand-in sends' own is the pacing's. */
export function resultRow(runs: readonly PacerRun[]): string {
  const first = runs[0];
  if (first === undefined) return "";
  const slack = first.strategy === "worker" ? ` (slack ${first.timerSlack}, ≥ ${first.minIntervalUs ?? "default"} µs apart)` : "";
  const lead = first.leadUs === null ? "-" : spread(runs.map((r) => r.leadUs ?? 0));
  const work = (first.workUs * first.rps) / 10_000;
  const pacing = runs.map((r) => r.cpuPct - work);
  return `| ${first.strategy}${slack} | ${first.rps} | ${first.workUs} | ${spread(runs.map((r) => r.latenessUs.p50))} | ${spread(runs.map((r) => r.latenessUs.p99))} | ${spread(runs.map((r) => r.latenessUs.p999))} | ${spread(runs.map((r) => r.cpuPct), 1)} | ${spread(pacing.map((p) => (p * 10_000) / first.rps), 1)} | ${lead} |`;
}

export const TABLE_HEADER = [
  "| pacer | rate req/s | work µs/req | lateness p50 µs | p99 µs | p99.9 µs | CPU % of a core | pacing CPU µs/req | lead µs |",
  "|---|---|---|---|---|---|---|---|---|",
];
