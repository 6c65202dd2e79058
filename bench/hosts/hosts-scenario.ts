/**
 * One scenario across hosts, as the driver runs it through the agents (bench/agent/): the server on the server host,
 * the offered rate split over the client hosts, every host's load and counters on one schedule, one merged result.
 *
 * The order is a local scenario's (bench/run/scenario.ts) spread over hosts: clock offsets first, over the same
 * connections the run uses; then the server, the generators (connected, warm, primed), and the schedule — the load's
 * start and both window edges named in each agent's own clock, so that each host reads its counters at the same
 * instant, not when a message reaches it. Whatever fails, every server and generator started is stopped on its host,
 * and the error names the host (AgentCallError); the leases stop anything a lost host keeps running.
 */
import type { Snapshot } from "../collector/index.ts";
import type { AgentClient } from "../agent/client.ts";
import type { SnapshotReply, StartGeneratorRequest, StartServerRequest } from "../agent/protocol.ts";
import type { ClientKind, Protocol, ServerSettings } from "../../contract/index.ts";
import type { PacingStrategy } from "../load/pacer.ts";
import { measureClockOffset, toAgentClock } from "./clock-offset.ts";
import { hostClockMs } from "../support/host-clock.ts";
import type { OffsetEstimate } from "./clock-offset.ts";
import { mergeGeneratorReports } from "./merge-reports.ts";
import type { MergedGeneratorReport } from "./merge-reports.ts";
import { scheduleWindows, splitRate } from "./window-schedule.ts";
import type { WindowSchedule } from "./window-schedule.ts";

export interface HostPlace {
  readonly agent: AgentClient;
  /** Where the benchmark traffic reaches this host: the server listens here; a client host's is recorded. */
  readonly benchAddress: string;
  /** The interfaces that carry the benchmark traffic, whose counters the host's snapshots pick out. */
  readonly interfaces: readonly string[];
  readonly cpu: number | null;
}

export interface HostsScenarioPlan {
  readonly protocol: Protocol;
  readonly clientKind: ClientKind;
  readonly rps: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly connections: number;
  readonly streams: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly requestTimeoutMs: number;
  readonly maxInFlight: number;
  readonly primeRequests: number;
  readonly settings: ServerSettings;
  readonly pacing?: PacingStrategy;
  /** How long before the load's start the schedule is sent: the generators measure their pacing floor first. */
  readonly leadMs: number;
  readonly leaseMs: number;
  readonly clockRounds: number;
}

export interface HostWindow {
  readonly host: string;
  readonly offset: OffsetEstimate;
  /** The host's counters at the window's edges, read by its agent at the scheduled instants. */
  readonly before: Snapshot;
  readonly after: Snapshot;
  /** How long after each scheduled edge the agent began reading, on its own clock, ms. */
  readonly lateMs: { readonly start: number; readonly end: number };
}

export interface HostsScenarioOutcome {
  readonly report: MergedGeneratorReport;
  readonly schedule: WindowSchedule;
  readonly server: { readonly host: string; readonly address: string; readonly pid: number; readonly port: number };
  readonly hosts: readonly HostWindow[];
}

/** What the pacing floor and the messages need before a scheduled start, at the least. */
const PACING_FLOOR_ALLOWANCE_MS = 600;

/** Ctrl-C during a scenario across hosts: everything is stopped on every host, and the scenario is "aborted". */
export class HostsScenarioAbort extends Error {
  override readonly name = "HostsScenarioAbort";
}

export async function runHostsScenario(
  server: HostPlace,
  clients: readonly HostPlace[],
  plan: HostsScenarioPlan,
  options: { readonly now?: () => number; readonly signal?: AbortSignal; readonly progress?: (line: string) => void } = {},
): Promise<HostsScenarioOutcome> {
  const now = options.now ?? hostClockMs;
  const progress = options.progress ?? (() => {});
  let onAbort = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = (): void => reject(new HostsScenarioAbort(String(options.signal?.reason ?? "aborted")));
    if (options.signal?.aborted === true) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  const started: { agent: AgentClient; id: string }[] = [];
  // Once the scenario ends — done, failed, or aborted while a step was under way — no further step begins, and every
  // start still in flight is waited for, so that what it starts is stopped too.
  let ending = false;
  const inFlight = new Set<Promise<unknown>>();
  const step = <T>(call: () => Promise<T>): Promise<T> => {
    if (ending) return Promise.reject(new HostsScenarioAbort("the scenario ended"));
    const p = call();
    inFlight.add(p);
    const done = (): void => void inFlight.delete(p);
    p.then(done, done);
    return p;
  };
  const renew = setInterval(() => {
    for (const { agent, id } of started) agent.call("Renew", { ids: [id] }).catch(() => {});
  }, plan.leaseMs / 3);
  try {
    const work = async (): Promise<HostsScenarioOutcome> => {
      const startServer: StartServerRequest = {
        protocol: plan.protocol,
        host: server.benchAddress,
        cpu: server.cpu,
        requestBytes: plan.requestBytes,
        responseBytes: plan.responseBytes,
        settings: plan.settings,
        leaseMs: plan.leaseMs,
      };
      const s = await step(() => server.agent.call("StartServer", startServer));
      started.push({ agent: server.agent, id: s.id });
      progress(`server pid ${s.pid} on host ${server.agent.host}, ${server.benchAddress}:${s.port}${server.cpu === null ? "" : ` (CPU ${server.cpu})`}`);

      const shares = splitRate(plan.rps, clients.length);
      const generators = await Promise.all(
        clients.map(async (c, i) => {
          const share = shares[i] ?? 0;
          const loadPlan = { rps: share, warmupMs: plan.warmupMs, durationMs: plan.durationMs, maxInFlight: plan.maxInFlight, drainTimeoutMs: plan.requestTimeoutMs + 1000 };
          const request: StartGeneratorRequest = {
            config: {
              client: {
                protocol: plan.protocol,
                host: server.benchAddress,
                port: s.port,
                connections: plan.connections,
                streams: plan.streams,
                requestBytes: plan.requestBytes,
                responseBytes: plan.responseBytes,
                requestTimeoutMs: plan.requestTimeoutMs,
              },
              clientKind: plan.clientKind,
              plan: loadPlan,
              ...(plan.pacing === undefined ? {} : { pacing: plan.pacing }),
              ...(plan.primeRequests > 0 ? { prime: { requests: plan.primeRequests, maxMs: 10_000 } } : {}),
            },
            cpu: c.cpu,
            leaseMs: plan.leaseMs,
          };
          // Priming and connecting take their time: 30 s.
          const g = await step(() => c.agent.call("StartGenerator", request, 30_000));
          started.push({ agent: c.agent, id: g.id });
          progress(`generator pid ${g.pid} on host ${c.agent.host}, ${share} req/s${c.cpu === null ? "" : ` (CPU ${c.cpu})`}`);
          return { place: c, id: g.id, loadPlan };
        }),
      );

      // The clocks' offsets just before the schedule that uses them: a clock NTP slews drifts while the server and the
      // generators start (priming alone may take seconds).
      const everyone = [server, ...clients];
      const offsets = new Map<AgentClient, OffsetEstimate>();
      for (const place of everyone) {
        const exchange = async () => {
          const hello = await place.agent.call("Hello", { driver: "wirecost" });
          return { agentReceivedMs: hello.receivedMs, agentSentMs: hello.sentMs };
        };
        offsets.set(place.agent, await step(() => measureClockOffset(exchange, plan.clockRounds, now)));
      }
      const offsetOf = (place: HostPlace): OffsetEstimate => offsets.get(place.agent) as OffsetEstimate;
      if (ending) throw new HostsScenarioAbort("the scenario ended");
      const shown = (o: OffsetEstimate): string => `${o.offsetMs >= 0 ? "+" : ""}${o.offsetMs.toFixed(3)} ± ${o.uncertaintyMs.toFixed(3)} ms`;
      progress(`clock offsets: ${everyone.map((p) => `${p.agent.host} ${shown(offsetOf(p))}`).join(", ")}`);

      // The load and the window, now that everything is ready: the lead counts from here.
      const schedule = scheduleWindows({
        driverNowMs: now(),
        leadMs: Math.max(plan.leadMs, PACING_FLOOR_ALLOWANCE_MS),
        warmupMs: plan.warmupMs,
        durationMs: plan.durationMs,
        rps: plan.rps,
        clients: clients.map((c) => ({ host: c.agent.host, ...offsetOf(c) })),
      });
      const edge = (place: HostPlace, driverMs: number, ids: { serverId: string | null; generatorId: string | null }) =>
        place.agent.call("Snapshot", { ...ids, interfaces: place.interfaces, atMs: toAgentClock(driverMs, offsetOf(place).offsetMs) }, driverMs - now() + 10_000);
      const snapshotsOf = (place: HostPlace, ids: { serverId: string | null; generatorId: string | null }) =>
        Promise.all([edge(place, schedule.windowStartDriverMs, ids), edge(place, schedule.windowEndDriverMs, ids)]);
      const runDeadlineMs = schedule.windowEndDriverMs - now() + plan.requestTimeoutMs + 30_000;
      const windowOf = (host: string, offset: OffsetEstimate, edges: readonly [SnapshotReply, SnapshotReply]): HostWindow => ({
        host,
        offset,
        before: edges[0].snapshot,
        after: edges[1].snapshot,
        lateMs: {
          start: edges[0].readAtMs - toAgentClock(schedule.windowStartDriverMs, offset.offsetMs),
          end: edges[1].readAtMs - toAgentClock(schedule.windowEndDriverMs, offset.offsetMs),
        },
      });
      progress(`load starts on every client host in ${Math.round(schedule.startDriverMs - now())} ms; window ${plan.durationMs / 1000} s after ${plan.warmupMs / 1000} s of warm-up`);
      const [serverEdges, ...clientResults] = await Promise.all([
        snapshotsOf(server, { serverId: s.id, generatorId: null }),
        ...generators.map(async (g, i) => {
          const start = schedule.clients[i];
          if (start === undefined) throw new Error(`no schedule for ${g.place.agent.host}`);
          const [edges, run] = await Promise.all([
            snapshotsOf(g.place, { serverId: null, generatorId: g.id }),
            g.place.agent.call("RunLoad", { id: g.id, plan: g.loadPlan, startAtMs: start.startAgentMs + start.firstArrivalDelayMs }, runDeadlineMs),
          ]);
          return { host: g.place.agent.host, edges, report: run.report };
        }),
      ]);
      const report = mergeGeneratorReports(clientResults.map((r) => ({ host: r.host, report: r.report })));
      const hosts: HostWindow[] = [
        windowOf(server.agent.host, offsetOf(server), serverEdges),
        ...clientResults.map((r, i) => windowOf(r.host, offsetOf(clients[i] as HostPlace), r.edges)),
      ];
      return { report, schedule, server: { host: server.agent.host, address: server.benchAddress, pid: s.pid, port: s.port }, hosts };
    };
    return await Promise.race([work(), aborted]);
  } finally {
    ending = true;
    options.signal?.removeEventListener("abort", onAbort);
    await Promise.allSettled([...inFlight]);
    clearInterval(renew);
    // Generators first, so that none is left sending to a server that is gone.
    for (const { agent, id } of started.reverse()) await agent.call("Stop", { id }).catch(() => {});
  }
}
