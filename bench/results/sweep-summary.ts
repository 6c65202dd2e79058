/**
 * Turns a sweep's scenarios into per-series curves and knees (a series: an arm with one client, series.ts). Pure: reads only the scenarios.
 */
import type { SweepConfig } from "../config/config.ts";
import type { CompletedScenario, ScenarioResult, SweepSummary } from "./schema.ts";
import { totalErrors } from "./schema.ts";
import type { DropCounts } from "../collector/index.ts";
import { findKnee } from "../sweep/knee.ts";
import type { Knee, SweepPoint } from "../sweep/knee.ts";
import { sweepRates } from "../sweep/plan.ts";
import type { SweepUnit } from "../sweep/plan.ts";
import type { Series } from "./series.ts";


/**
 * The server CPU's share of the window spent in softirqs and in user time, %. Measured with eBPF: every softirq
 * vector's exact time on that CPU, and the server's own user time, over the eBPF window's wall time. By the tick
 * method: /proc/stat's softirq and user ticks on that CPU (a sample that scattered from 0.08× to 23× the exact
 * figure in the reference run's windows).
 */
export function serverCpuShares(s: CompletedScenario): { softirq: number | null; user: number | null } {
  const cpu = s.cpus?.server;
  // A contaminated window holds other traffic's softirq time too, by either method: no livelock evidence from it.
  if (cpu === null || cpu === undefined || s.contamination?.contaminated === true) return { softirq: null, user: null };
  const attribution = s.totals?.cpuAttribution;
  const exact = attribution?.method === "ebpf" ? attribution.perCpu[String(cpu)] : undefined;
  if (exact !== undefined) {
    const { softirqNetRx, softirqNetTx, softirqOther, serverUser, wall } = exact;
    if (softirqNetRx === null || softirqNetTx === null || softirqOther === null || serverUser === null || wall === null || !(wall > 0)) return { softirq: null, user: null };
    return { softirq: round1((100 * (softirqNetRx + softirqNetTx + softirqOther)) / wall), user: round1((100 * serverUser) / wall) };
  }
  const perCpu = s.totals?.cpuUs.perCpu[String(cpu)];
  const windowUs = (s.collector?.windowMs ?? s.durationMs) * 1000;
  if (perCpu === undefined || !(windowUs > 0)) return { softirq: null, user: null };
  return { softirq: round1((100 * perCpu.softirq) / windowUs), user: round1((100 * perCpu.user) / windowUs) };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/**
 * Drop counters that never count the same drop twice. TcpExt ListenDrops already counts ListenOverflows and
 * TCPReqQFullDrop (net/ipv4/tcp_input.c `tcp_conn_request` → `tcp_listendrop`), and Udp InErrors counts
 * RcvbufErrors (net/ipv4/udp.c), so those are left out of the sum.
 */
export const DISJOINT_DROP_FIELDS: readonly (keyof DropCounts)[] = ["listenDrops", "tcpBacklogDrop", "tcpRcvQDrop", "tcpOfoDrop", "tcpZeroWindowDrop", "udpInErrors"];

/** The server namespace's drops over the window; null when the result has no drop counters or none was readable. */
export function serverDrops(s: CompletedScenario): number | null {
  const counts = s.totals?.drops?.server;
  if (counts === undefined || counts === null) return null;
  const known = DISJOINT_DROP_FIELDS.map((f) => counts[f]).filter((v): v is number => typeof v === "number");
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

/**
 * A scenario's offered load in the sweep's unit: its step's rate. By pps a scenario offered a calibrated request
 * rate, so `offeredRps` differs per protocol and repeat; the step (or, without one, the packet rate it asked for)
 * is what groups it.
 */
export function offeredLoad(s: ScenarioResult, unit: SweepUnit, rates: readonly number[]): number {
  const atStep = s.step === undefined ? undefined : rates[s.step];
  if (atStep !== undefined) return atStep;
  return unit === "pps" && s.state === "completed" && s.pps !== undefined ? s.pps.offeredPps : s.offeredRps;
}

export function sweepPoint(s: ScenarioResult, offered: number = s.offeredRps): SweepPoint {
  if (s.state !== "completed") {
    return { offered, offeredRps: s.offeredRps, measuredPps: null, achievedRps: 0, latencyP99Us: null, errors: 1, requests: 0, generatorSaturated: false, generatorReasons: [], serverSoftirqPct: null, serverUserPct: null, drops: null };
  }
  const shares = serverCpuShares(s);
  return {
    offered,
    offeredRps: s.offeredRps,
    measuredPps: s.pps?.measuredPps ?? null,
    achievedRps: s.achievedRps,
    latencyP99Us: s.latencyUs.p99,
    errors: totalErrors(s.errors),
    requests: s.requests,
    generatorSaturated: s.generator.saturated,
    generatorReasons: s.generator.saturationReasons,
    serverSoftirqPct: shares.softirq,
    serverUserPct: shares.user,
    drops: serverDrops(s),
  };
}

/** Each series' curve and knee; `seriesOf` names a scenario's series (series.ts). */
export function summarizeSweep(config: SweepConfig, sloP99Us: number, scenarios: readonly ScenarioResult[], seriesOf: (s: ScenarioResult) => Series): SweepSummary {
  const rates = sweepRates(config);
  const bySeries = new Map<Series, SweepPoint[]>();
  for (const s of scenarios) {
    const points = bySeries.get(seriesOf(s)) ?? [];
    points.push(sweepPoint(s, offeredLoad(s, config.by, rates)));
    bySeries.set(seriesOf(s), points);
  }
  const protocols: Partial<Record<Series, { points: SweepPoint[]; knee: Knee }>> = {};
  for (const [series, points] of bySeries) {
    points.sort((a, b) => a.offered - b.offered);
    protocols[series] = { points, knee: findKnee(points, sloP99Us, config.by) };
  }
  return { unit: config.by, rates, spacing: config.spacing, sloP99Us, protocols };
}
