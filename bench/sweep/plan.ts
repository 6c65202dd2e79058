/**
 * The sweep's offered-load steps, and the order scenarios run in. Pure.
 */
import type { Protocol } from "../../contract/index.ts";

export type StepSpacing = "linear" | "geometric";

/**
 * What a sweep's steps count: offered requests per second, or packets per second at the server interface (each
 * step's request rate then calibrated per scenario, as `--pps` does).
 */
export type SweepUnit = "rps" | "pps";
export const SWEEP_UNITS: readonly SweepUnit[] = ["rps", "pps"];

/** How a load in the sweep's unit reads: "20000 packets/s", or with its request rate "20000 packets/s (≈ 9662 req/s)". */
export function formatLoad(unit: SweepUnit, offered: number, requestRate: number | null = null): string {
  if (unit === "rps") return `${offered} req/s`;
  return requestRate === null ? `${offered} packets/s` : `${offered} packets/s (≈ ${Math.round(requestRate)} req/s)`;
}

/** The unit's name in tables and on axes. */
export function unitLabel(unit: SweepUnit): string {
  return unit === "rps" ? "req/s" : "packets/s";
}

export interface SweepSpec {
  readonly from: number;
  readonly to: number;
  readonly steps: number;
  readonly spacing: StepSpacing;
}

/**
 * `steps` rates from `from` to `to` inclusive. Geometric spacing gives equal ratios (1000 → 30000 in 5 steps:
 * ×2.34 each), which puts more points at low load where most protocols still follow the offered rate; rates are
 * rounded to whole requests per second, and to 3 significant digits above 1000 so tables stay readable.
 */
export function sweepRates(spec: SweepSpec): number[] {
  if (spec.steps === 1) return [spec.from];
  const rates: number[] = [];
  for (let i = 0; i < spec.steps; i++) {
    const f = i / (spec.steps - 1);
    const raw = spec.spacing === "linear" ? spec.from + (spec.to - spec.from) * f : spec.from * (spec.to / spec.from) ** f;
    rates.push(i === 0 ? spec.from : i === spec.steps - 1 ? spec.to : roundRate(raw));
  }
  return rates;
}

function roundRate(x: number): number {
  if (x < 1000) return Math.round(x);
  const magnitude = 10 ** (Math.floor(Math.log10(x)) - 2);
  return Math.round(x / magnitude) * magnitude;
}

export interface SweepSlot<T = Protocol> {
  /** What the step measures: an arm, or the run's subject for it (bench/run/run.ts). */
  readonly protocol: T;
  readonly step: number;
  /** The step's offered load, in the sweep's unit. */
  readonly offered: number;
  readonly repeat: number;
}

/** Step by step, every protocol at each step before the next (interleaved, so drift hits all alike). */
export function sweepOrder<T = Protocol>(protocols: readonly T[], rates: readonly number[], repeats: number): SweepSlot<T>[] {
  const slots: SweepSlot<T>[] = [];
  for (const [step, offered] of rates.entries()) {
    for (let r = 0; r < repeats; r++) {
      for (let i = 0; i < protocols.length; i++) {
        const protocol = protocols[(i + r + step) % protocols.length];
        if (protocol !== undefined) slots.push({ protocol, step, offered, repeat: r + 1 });
      }
    }
  }
  return slots;
}

/**
 * What one finished step tells the planner about a protocol. In request rates whatever the sweep's unit: a sweep
 * by pps offered a calibrated request rate, and whether the server kept up with it is a question about requests.
 */
export interface StepOutcome {
  readonly offeredRps: number;
  readonly achievedRps: number;
  readonly errorRate: number;
}

/** A protocol stops climbing once clearly past saturation: this far under its offered rate, or this error rate. */
export const PAST_SATURATION_SHARE = 0.9;
export const PAST_SATURATION_ERROR_RATE = 0.05;

/**
 * True when a protocol's last step shows it clearly past saturation: delivered throughput fell from the step
 * before, it delivered under 90% of what was offered, or 5% of requests failed. Later steps would only measure
 * collapse, so the sweep spends its time elsewhere.
 */
export function pastSaturation(history: readonly StepOutcome[]): boolean {
  const last = history.at(-1);
  if (last === undefined) return false;
  if (last.errorRate >= PAST_SATURATION_ERROR_RATE) return true;
  if (last.achievedRps < last.offeredRps * PAST_SATURATION_SHARE) return true;
  const previous = history.at(-2);
  return previous !== undefined && last.achievedRps < previous.achievedRps;
}
