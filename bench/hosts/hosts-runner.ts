/**
 * A scenario of `npm run bench` across hosts: runs it through the agents (hosts-scenario.ts) and writes it as one
 * scenario of result.json — the merged generator report, and the kernel figures the same code computes for a run on
 * one host (bench/run/measure.ts `kernelFigures`), from the server host's counters at the scheduled window edges.
 *
 * What differs from one host, and is said in the figures:
 * - No idle baseline: the global counters are a host's whole, like --baseline 0.
 * - Kernel time by /proc/stat ticks: agents do not run the eBPF tracer yet.
 * - The contamination guard is not checked: softnet_stat counts each host's packets on its own host, and the
 *   simulated hosts' bridge is read by nobody.
 * - With one client host, its namespace and its generator are the figures' client side, as in a netns run; with
 *   several, the client side is each host's own (`acrossHosts.hosts`), and the figures' client side is left out.
 */
import { diffSnapshots, missing, windowTotals } from "../collector/index.ts";
import type { Snapshot } from "../collector/index.ts";
import { AgentCallError } from "../agent/client.ts";
import type { CompletedScenario, ScenarioResult } from "../results/schema.ts";
import { kernelFigures } from "../run/measure.ts";
import type { ScenarioPlan } from "../run/scenario.ts";
import { HostsScenarioAbort, runHostsScenario } from "./hosts-scenario.ts";
import type { HostPlace, HostsScenarioOutcome } from "./hosts-scenario.ts";

export const HOSTS_LEASE_MS = 15_000;
export const HOSTS_LEAD_MS = 1_500;
export const HOSTS_CLOCK_ROUNDS = 16;
export const TICK_ON_HOSTS = "agents measure kernel time by /proc/stat ticks: the eBPF tracer does not run on agents yet";

/** The server host's snapshot with the client side a netns run has: the one client host's, or none of several. */
function composed(server: Snapshot, clients: readonly Snapshot[]): Snapshot {
  const one = clients.length === 1 ? clients[0] : undefined;
  return {
    ...server,
    client: one?.server ?? null,
    processes: { server: server.processes.server, generator: one?.processes.generator ?? missing(`the generators ran on ${clients.length} client hosts; see acrossHosts.hosts`) },
  };
}

/** A host's benchmark-interface packets over the window, by the collector's own figure (rx only on `lo`). */
function hostPackets(before: Snapshot, after: Snapshot): number | null {
  return windowTotals(diffSnapshots(before, after)).packets;
}

type Placement = CompletedScenario["placement"];

/** What every scenario of the run records, completed or not. */
function scenarioCommon(plan: ScenarioPlan, startedAt: string, placement: Placement) {
  const { config } = plan;
  return {
    name: plan.name,
    protocol: plan.protocol,
    client: plan.client,
    repeat: plan.repeat,
    startedAt,
    offeredRps: config.rps,
    connections: config.connections,
    streams: config.streams,
    requestBytes: config.requestBytes,
    responseBytes: config.responseBytes,
    serverSettings: config.server,
    placement,
  };
}

/**
 * `cpus`: where the server and the generators ran. `sameMachine`: whether the server host's /proc/stat also counts
 * the generators' CPU (simulated hosts); on real hosts it does not, and the figures account the server's CPU alone.
 */
export function hostsScenarioResult(
  plan: ScenarioPlan,
  outcome: HostsScenarioOutcome,
  startedAt: string,
  cpus: { server: number | null; client: number | null },
  sameMachine: boolean,
): CompletedScenario {
  const { report, schedule, hosts } = outcome;
  const [server, ...clients] = hosts;
  if (server === undefined) throw new Error("a scenario across hosts without its server host");
  const { perHost, windowSkewMs, offeredRps: _offered, tlsHandshakes: _tls, ...merged } = report;
  const figureClientCpu = sameMachine ? cpus.client : null;
  const accounted = [cpus.server, figureClientCpu].filter((c): c is number => c !== null);
  const figures = kernelFigures({
    atStart: composed(server.before, clients.map((c) => c.before)),
    atEnd: composed(server.after, clients.map((c) => c.after)),
    baseline: null,
    requests: report.completedInWindow,
    cpus: accounted,
    serverCpu: cpus.server,
    clientCpu: figureClientCpu,
    timeSeries: { points: [], recorded: 0, stride: 1 },
    sampleHz: 0,
    overhead: { samples: 0, overheadCpuPct: 0, meanReadUs: 0 },
    // The edges as scheduled, on the snapshots' epoch clock: the collector's window skew is then the reads' lateness.
    phaseEpochMs: { measure: server.before.epochMs - server.lateMs.start, drain: server.after.epochMs - server.lateMs.end },
    kernelTime: { method: "tick", reason: TICK_ON_HOSTS, fix: "run on one host for eBPF kernel time" },
  });
  const edgeLate = (h: (typeof hosts)[number]) => ({ start: Math.round(h.lateMs.start * 1000) / 1000, end: Math.round(h.lateMs.end * 1000) / 1000 });
  const placement = { topology: "hosts", serverCpu: cpus.server, clientCpu: cpus.client, serverPid: outcome.server.pid, generatorPid: null, serverAddress: outcome.server.address, serverPort: outcome.server.port };
  return {
    ...scenarioCommon(plan, startedAt, placement),
    ...merged,
    ...figures,
    contamination: { ...figures.contamination, contaminated: null, excessPackets: null, reason: "not checked across hosts: softnet_stat counts each host's own packets, and the hosts' wire is nobody's to read" },
    acrossHosts: {
      windowSkewMs,
      alignmentErrorMs: schedule.alignmentErrorMs,
      hosts: hosts.map((h, i) => {
        const share = i === 0 ? undefined : perHost[i - 1];
        return {
          host: h.host,
          role: i === 0 ? "server" : "client",
          clockOffsetMs: h.offset.offsetMs,
          clockUncertaintyMs: h.offset.uncertaintyMs,
          edgeLateMs: edgeLate(h),
          packets: hostPackets(h.before, h.after),
          ...(share === undefined ? {} : { offeredRps: share.offeredRps, completedInWindow: share.completedInWindow, generator: share.generator }),
        };
      }),
    },
    state: "completed",
  };
}

/** The runner `runBench` calls for each scenario of a run across hosts. */
export function hostsScenarioRunner(server: HostPlace, clients: readonly HostPlace[], cpus: { server: number | null; client: number | null }, sameMachine: boolean) {
  return async (plan: ScenarioPlan, signal: AbortSignal, progress: (line: string) => void): Promise<ScenarioResult> => {
    const startedAt = new Date().toISOString();
    const { config } = plan;
    const common = scenarioCommon(plan, startedAt, { topology: "hosts", serverCpu: cpus.server, clientCpu: cpus.client, serverPid: null, generatorPid: null, serverAddress: server.benchAddress, serverPort: null });
    try {
      const outcome = await runHostsScenario(
        server,
        clients,
        {
          protocol: plan.protocol,
          clientKind: plan.client,
          rps: config.rps,
          warmupMs: config.warmupMs,
          durationMs: config.durationMs,
          connections: config.connections,
          streams: config.streams,
          requestBytes: config.requestBytes,
          responseBytes: config.responseBytes,
          requestTimeoutMs: config.requestTimeoutMs,
          maxInFlight: config.maxInFlight,
          primeRequests: config.primeRequests,
          settings: config.server,
          pacing: config.pacing,
          leadMs: HOSTS_LEAD_MS,
          leaseMs: HOSTS_LEASE_MS,
          clockRounds: HOSTS_CLOCK_ROUNDS,
        },
        { signal, progress },
      );
      return hostsScenarioResult(plan, outcome, startedAt, cpus, sameMachine);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof HostsScenarioAbort) return { ...common, state: "aborted", error: `interrupted: ${message}` };
      // An agent's failure already names its host; anything else is the driver's own.
      return { ...common, state: "errored", error: error instanceof AgentCallError ? message : `driver: ${message}` };
    }
  };
}
