/**
 * Small hand-made results for exact-value tests. Every scenario starts as a deep copy of a real one from the frozen
 * fixture (so the shape is what npm run bench writes) with the figures under test replaced.
 */
import { readFileSync } from "node:fs";
import type { Protocol } from "../../contract/index.ts";
import type { CompletedScenario, ErroredScenario, RunResult } from "../../bench/results/schema.ts";
import { sweepRates } from "../../bench/sweep/plan.ts";
import { summarizeSweep } from "../../bench/results/sweep-summary.ts";
import { seriesOf } from "../../bench/results/series.ts";

export const FIXTURE_PATH = new URL("../fixtures/results/six-protocols-repeat2.json", import.meta.url);

export function loadFixture(): RunResult {
  return JSON.parse(readFileSync(FIXTURE_PATH, "utf8")) as RunResult;
}

/** A frozen sweep: http1, h2c and grpc at 500, 1140, 2620 and 6000 req/s, one repeat. */
export const SWEEP_FIXTURE_PATH = new URL("../fixtures/results/sweep-three-protocols.json", import.meta.url);

export function loadSweepFixture(): RunResult {
  return JSON.parse(readFileSync(SWEEP_FIXTURE_PATH, "utf8")) as RunResult;
}

/**
 * The frozen sweep as if it had been by packets per second: steps 1000, 2000, 4000 and 8000 packets/s, each scenario
 * keeping its request rate (500, 1140, 2620, 6000 req/s) as the one calibration chose, and the packet rate its
 * window measured. The summary is computed again, as npm run bench does at the end of a sweep.
 */
export function loadPpsSweepFixture(): RunResult {
  const base = loadSweepFixture();
  const sweepConfig = { by: "pps", from: 1000, to: 8000, steps: 4, spacing: "geometric" } as const;
  const rates = sweepRates(sweepConfig);
  const scenarios = base.scenarios.map((s) => {
    const offeredPps = rates[s.step ?? -1] ?? 0;
    const name = `${s.protocol}@${offeredPps}pps`;
    if (s.state !== "completed") return { ...s, name };
    const packets = s.totals?.packets ?? null;
    const windowMs = s.collector?.windowMs ?? 0;
    const measuredPps = packets === null || !(windowMs > 0) ? null : Math.round((packets * 10_000) / windowMs) / 10;
    return { ...s, name, pps: { offeredPps, initialPacketsPerRequest: 2, calibration: [], requestRate: s.offeredRps, measuredPps } };
  });
  const config = { ...base.config, pps: null, sweep: sweepConfig };
  return { ...base, config, scenarios, skipped: base.skipped.map((k) => ({ ...k })), sweep: summarizeSweep(sweepConfig, base.config.sloP99Us, scenarios, (s) => seriesOf(base, s)) };
}

const template = loadFixture().scenarios[0] as CompletedScenario;

export interface ScenarioFigures {
  readonly protocol: Protocol;
  readonly repeat: number;
  readonly packets?: number;
  readonly bytes?: number;
  readonly tcpSegments?: number;
  readonly netRx?: number;
  /** Server process schedstat run time, µs per request. */
  readonly serverRun?: number | null;
  readonly clientRun?: number;
  /** softirq + irq over the run's CPUs, and on the server's CPU (1), µs per request. */
  readonly kernelSoftirq?: number;
  readonly serverCpuSoftirq?: number;
  readonly p99Us?: number;
  readonly saturated?: boolean;
  readonly contaminated?: boolean;
  readonly withKernelFigures?: boolean;
}

export function scenario(f: ScenarioFigures): CompletedScenario {
  const s = structuredClone(template) as unknown as Record<string, unknown> & CompletedScenario;
  const p = structuredClone(template.perRequest) as NonNullable<CompletedScenario["perRequest"]>;
  const perRequest = {
    ...p,
    packets: f.packets ?? 2,
    bytes: f.bytes ?? 1000,
    tcpSegments: f.tcpSegments ?? f.packets ?? 2,
    netRxSoftirqs: f.netRx ?? 3,
    netTxSoftirqs: 0,
    cpuUs: {
      ...p.cpuUs,
      serverRun: f.serverRun === undefined ? 100 : f.serverRun,
      serverUser: f.serverRun === null ? null : p.cpuUs.serverUser,
      serverSys: f.serverRun === null ? null : p.cpuUs.serverSys,
      clientRun: f.clientRun ?? 200,
      softirq: f.kernelSoftirq ?? 20,
      irq: 0,
      perCpu: {
        "0": { user: 100, system: 50, softirq: 0, irq: 0, busy: 150 },
        "1": { user: 80, system: 20, softirq: f.serverCpuSoftirq ?? 20, irq: 0, busy: 100 + (f.serverCpuSoftirq ?? 20) },
      },
    },
  };
  const out: Record<string, unknown> = {
    ...s,
    name: `${f.protocol}#${f.repeat}`,
    protocol: f.protocol,
    repeat: f.repeat,
    latencyUs: { ...s.latencyUs, p99: f.p99Us ?? 2000 },
    generator: { ...s.generator, saturated: f.saturated ?? false, saturationReasons: f.saturated === true ? ["send lateness p99 3000 µs > 2000 µs: the generator fell behind its schedule"] : [] },
    contamination: { ...s.contamination, contaminated: f.contaminated ?? false, excessPackets: f.contaminated === true ? 500 : 0 },
    perRequest,
  };
  if (f.withKernelFigures === false) delete out.perRequest;
  return out as unknown as CompletedScenario;
}

export function errored(protocol: Protocol, repeat: number): ErroredScenario {
  const common = template;
  return {
    name: `${protocol}#${repeat}`,
    protocol,
    repeat,
    startedAt: common.startedAt,
    offeredRps: common.offeredRps,
    connections: common.connections,
    streams: common.streams,
    requestBytes: common.requestBytes,
    responseBytes: common.responseBytes,
    serverSettings: common.serverSettings,
    placement: common.placement,
    state: "errored",
    error: "server exited before printing its port",
  };
}

/** A run around `scenarios`, with the fixture's environment and topology; `rps` is the run's offered rate. */
export function run(scenarios: RunResult["scenarios"], options: { rps?: number; irqTimeAccounting?: boolean | null } = {}): RunResult {
  const base = loadFixture();
  const protocols = [...new Set(scenarios.map((s) => s.protocol))];
  return {
    ...base,
    runId: "test-run",
    environment: { ...base.environment, irqTimeAccounting: options.irqTimeAccounting === undefined ? false : options.irqTimeAccounting },
    config: { ...base.config, protocols, rps: options.rps ?? 500, repeat: Math.max(...scenarios.map((s) => s.repeat)) },
    scenarios,
  };
}
