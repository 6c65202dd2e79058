/**
 * Turns a sweep's scenarios into per-protocol curves and knees. Pure: reads only the scenarios.
 */
import type { SweepConfig } from "../config.ts";
import type { Protocol } from "../protocol.ts";
import type { CompletedScenario, ScenarioResult } from "../result.ts";
import { totalErrors } from "../result.ts";
import { findKnee } from "./knee.ts";
import type { Knee, SweepPoint } from "./knee.ts";
import { sweepRates } from "./plan.ts";

export interface SweepSummary {
  readonly rates: readonly number[];
  readonly spacing: SweepConfig["spacing"];
  readonly sloP99Us: number;
  readonly protocols: Readonly<Partial<Record<Protocol, { readonly points: readonly SweepPoint[]; readonly knee: Knee }>>>;
}

/** The server CPU's share of the window spent in softirq and in user time, % (tick samples from /proc/stat). */
function serverCpuShares(s: CompletedScenario): { softirq: number | null; user: number | null } {
  const cpu = s.cpus?.server;
  const perCpu = cpu === null || cpu === undefined ? undefined : s.totals?.cpuUs.perCpu[String(cpu)];
  const windowUs = (s.collector?.windowMs ?? s.durationMs) * 1000;
  if (perCpu === undefined || !(windowUs > 0)) return { softirq: null, user: null };
  return { softirq: round1((100 * perCpu.softirq) / windowUs), user: round1((100 * perCpu.user) / windowUs) };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Sums a scenario's drop counters if the collector reported them. */
function dropCount(s: CompletedScenario): number | null {
  const drops = (s.totals as { drops?: Record<string, number | null> } | undefined)?.drops;
  if (drops === undefined) return null;
  let n = 0;
  for (const v of Object.values(drops)) if (typeof v === "number") n += v;
  return n;
}

export function sweepPoint(s: ScenarioResult): SweepPoint {
  if (s.state !== "completed") {
    return { offeredRps: s.offeredRps, achievedRps: 0, latencyP99Us: null, errors: 1, requests: 0, generatorSaturated: false, generatorReasons: [], serverSoftirqPct: null, serverUserPct: null, drops: null };
  }
  const shares = serverCpuShares(s);
  return {
    offeredRps: s.offeredRps,
    achievedRps: s.achievedRps,
    latencyP99Us: s.latencyUs.p99,
    errors: totalErrors(s.errors),
    requests: s.requests,
    generatorSaturated: s.generator.saturated,
    generatorReasons: s.generator.saturationReasons,
    serverSoftirqPct: shares.softirq,
    serverUserPct: shares.user,
    drops: dropCount(s),
  };
}

export function summarizeSweep(config: SweepConfig, sloP99Us: number, scenarios: readonly ScenarioResult[]): SweepSummary {
  const byProtocol = new Map<Protocol, SweepPoint[]>();
  for (const s of scenarios) {
    const points = byProtocol.get(s.protocol) ?? [];
    points.push(sweepPoint(s));
    byProtocol.set(s.protocol, points);
  }
  const protocols: Partial<Record<Protocol, { points: SweepPoint[]; knee: Knee }>> = {};
  for (const [protocol, points] of byProtocol) {
    points.sort((a, b) => a.offeredRps - b.offeredRps);
    protocols[protocol] = { points, knee: findKnee(points, sloP99Us) };
  }
  return { rates: sweepRates(config), spacing: config.spacing, sloP99Us, protocols };
}
