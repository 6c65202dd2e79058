/**
 * The part of a run across hosts around its scenarios: reaching the agents — started here in the simulated hosts
 * (`--topology hosts`), or already running on real ones (`--agents`) — each host described by its own agent for the
 * result's `hosts[]`, the runner the run's scenarios go through, and everything stopped at the end.
 */
import * as grpc from "@grpc/grpc-js";
import { AgentCallError, connectAgent } from "../agent/client.ts";
import type { AgentClient } from "../agent/client.ts";
import { AGENT_PROTOCOL_VERSION } from "../agent/protocol.ts";
import type { HelloReply } from "../agent/protocol.ts";
import { UsageError } from "../support/errors.ts";
import { readTokenFile } from "../agent/token.ts";
import { parseAgents } from "../config/hosts-rules.ts";
import { option } from "../config/options.ts";
import type { BenchConfig } from "../config/config.ts";
import type { HostRecord, ScenarioResult } from "../results/schema.ts";
import type { ScenarioPlan } from "../run/scenario.ts";
import type { TopologyInfo } from "../topology/index.ts";
import type { HostPlace } from "./hosts-scenario.ts";
import { hostsScenarioRunner } from "./hosts-runner.ts";
import { startSimulatedAgents, SIMULATED_AGENT_PORT } from "./simulated-agents.ts";

export interface HostsRun {
  readonly records: readonly HostRecord[];
  /** What the run's flags ask that a run across hosts does not do, said once in the result's warnings. */
  readonly warnings: readonly string[];
  /** The server host's benchmark address. */
  readonly serverAddress: string;
  runScenario(plan: ScenarioPlan, signal: AbortSignal, progress: (line: string) => void): Promise<ScenarioResult>;
  stop(): Promise<void>;
}

/** The flags a run across hosts takes but does not apply, each as the warning the result keeps. */
export function ignoredAcrossHosts(config: BenchConfig): string[] {
  const warnings: string[] = [];
  const given = (flag: Parameters<typeof option>[0], value: unknown): boolean => JSON.stringify(value) !== JSON.stringify(option(flag).default);
  if (config.baselineMs > 0) warnings.push("across hosts no idle baseline is taken (--baseline): the global counters are each host's whole");
  if (given("sample-hz", config.sampleHz)) warnings.push("across hosts no time series is sampled (--sample-hz): the agents read the window's edges only");
  if (config.port !== 0) warnings.push(`across hosts the server takes a free port on its host (--port ${config.port} is not applied)`);
  if (config.agents !== null) {
    for (const [flag, value] of [["offloads", config.offloads], ["mtu", config.mtu], ["rx-steering", config.rxSteering]] as const) {
      if (given(flag, value)) warnings.push(`--${flag} is set on each host itself with --agents; the driver changes nothing there`);
    }
  }
  return warnings;
}

/** Each host as its agent describes itself, its benchmark interface included. */
async function describe(places: readonly HostPlace[], agents: readonly string[], namespaces: readonly (string | undefined)[]): Promise<HostRecord[]> {
  const records: HostRecord[] = [];
  for (const [i, place] of places.entries()) {
    const hello = await place.agent.call("Hello", { driver: "wirecost", interfaces: place.interfaces });
    const namespace = namespaces[i];
    records.push({
      name: place.agent.host,
      role: i === 0 ? "server" : "client",
      agent: agents[i] ?? place.agent.address,
      benchAddress: place.benchAddress,
      ...(namespace === undefined ? {} : { namespace }),
      hostname: hello.hostname,
      kernel: hello.kernel,
      cpuCount: hello.cpuCount,
      node: hello.node,
      cpu: place.cpu,
      nics: hello.nics,
    });
  }
  return records;
}

/** `--topology hosts`: an agent started in each simulated host, all of them on this machine. */
export async function startHostsRun(config: BenchConfig, topology: TopologyInfo, progress: (line: string) => void): Promise<HostsRun> {
  const simulated = topology.hosts;
  if (simulated === undefined) throw new Error("--topology hosts made no hosts");
  const cpus = { server: topology.serverCpu, client: topology.clientCpu };
  const agents = await startSimulatedAgents(simulated, cpus);
  try {
    const places = [agents.server, ...agents.clients];
    const records = await describe(places, simulated.hosts.map((h) => `${h.managementAddress}:${SIMULATED_AGENT_PORT}`), simulated.hosts.map((h) => h.namespace));
    for (const [i, h] of simulated.hosts.entries()) progress(`host ${h.name}: agent pid ${agents.pids[h.name]} in ${h.namespace}, listening on ${records[i]?.agent}`);
    // One machine: /proc/stat is the same for every host, so the client CPU's ticks are the generators'.
    return {
      records,
      warnings: ignoredAcrossHosts(config),
      serverAddress: agents.server.benchAddress,
      runScenario: hostsScenarioRunner(agents.server, agents.clients, cpus, true),
      stop: agents.stop,
    };
  } catch (error) {
    await agents.stop();
    throw error;
  }
}

/** How long the driver waits for an agent that is not up yet: a Job applied with its agents starts before them. */
export const AGENT_WAIT_MS = 120_000;

/** Hello, retried while the agent is unreachable (not listening yet, its Service without records) for AGENT_WAIT_MS. */
async function helloWhenUp(agent: AgentClient, progress: (line: string) => void): Promise<HelloReply> {
  const deadline = Date.now() + AGENT_WAIT_MS;
  for (let said = false; ; said = true) {
    try {
      return await agent.call("Hello", { driver: "wirecost" }, 5_000);
    } catch (error) {
      const down = error instanceof AgentCallError && (error.code === grpc.status.UNAVAILABLE || error.code === grpc.status.DEADLINE_EXCEEDED);
      if (!down || Date.now() > deadline) throw error;
      if (!said) progress(`waiting up to ${AGENT_WAIT_MS / 1000} s for the agent of ${agent.host} at ${agent.address}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

/** `--agents`: the agents already running on the hosts named, reached with the run's token. */
export async function connectHostsRun(config: BenchConfig, progress: (line: string) => void): Promise<HostsRun> {
  const token = readTokenFile(config.tokenFile ?? "");
  const specs = parseAgents(config.agents ?? "");
  const ordered = [...specs.filter((s) => s.role === "server"), ...specs.filter((s) => s.role === "client")];
  const places: HostPlace[] = [];
  try {
    for (const spec of ordered) {
      const agent = connectAgent(spec.name, spec.address, token);
      places.push({ agent, benchAddress: "", interfaces: [], cpu: null });
      const hello = await helloWhenUp(agent, progress);
      if (hello.protocolVersion !== AGENT_PROTOCOL_VERSION) {
        throw new UsageError("WC_BAD_VALUE", `--agents: the agent of ${spec.name} at ${spec.address} speaks version ${hello.protocolVersion} of the agent protocol, this driver ${AGENT_PROTOCOL_VERSION}; run the same wirecost on both`);
      }
      // The same defaults as on one host, among the CPUs the agent may use (a CPU manager's, in a pod): the server on
      // the last, a generator on the first.
      const cpu = spec.role === "server" ? (config.serverCpu ?? hello.cpus.at(-1) ?? null) : (config.clientCpu ?? hello.cpus[0] ?? null);
      if (cpu !== null && !hello.cpus.includes(cpu)) {
        throw new UsageError("WC_BAD_VALUE", `--${spec.role}-cpu ${cpu}: the agent of ${spec.name} may use CPUs ${hello.cpus.join(",")}; pick one of them`);
      }
      places[places.length - 1] = { agent, benchAddress: hello.benchAddress, interfaces: [hello.benchInterface], cpu };
      progress(`host ${spec.name}: agent at ${spec.address} on ${hello.hostname}, benchmark on ${hello.benchInterface} ${hello.benchAddress} (CPU ${cpu})`);
    }
    const records = await describe(places, ordered.map((s) => s.address), []);
    const [server, ...clients] = places as [HostPlace, ...HostPlace[]];
    // Each host has its own /proc/stat: the server host's says nothing of a generator's CPU elsewhere.
    const runScenario = hostsScenarioRunner(server, clients, { server: server.cpu, client: clients[0]?.cpu ?? null }, false);
    return { records, warnings: ignoredAcrossHosts(config), serverAddress: server.benchAddress, runScenario, stop: async () => places.forEach((p) => p.agent.close()) };
  } catch (error) {
    for (const p of places) p.agent.close();
    throw error;
  }
}
