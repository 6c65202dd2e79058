/**
 * The part of a run across hosts around its scenarios: reaching the agents — started here in the simulated hosts
 * (`--topology hosts`), or already running on real ones (`--agents`) — each host described by its own agent for the
 * result's `hosts[]`, the runner the run's scenarios go through, and everything stopped at the end.
 */
import { connectAgent } from "../agent/client.ts";
import { readTokenFile } from "../agent/token.ts";
import { parseAgents } from "../config/hosts-rules.ts";
import type { BenchConfig } from "../config/config.ts";
import type { HostRecord, ScenarioResult } from "../results/schema.ts";
import type { ScenarioPlan } from "../run/scenario.ts";
import type { TopologyInfo } from "../topology/index.ts";
import type { HostPlace } from "./hosts-scenario.ts";
import { hostsScenarioRunner } from "./hosts-runner.ts";
import { startSimulatedAgents, SIMULATED_AGENT_PORT } from "./simulated-agents.ts";

export interface HostsRun {
  readonly records: readonly HostRecord[];
  /** The server host's benchmark address. */
  readonly serverAddress: string;
  runScenario(plan: ScenarioPlan, signal: AbortSignal, progress: (line: string) => void): Promise<ScenarioResult>;
  stop(): Promise<void>;
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
export async function startHostsRun(topology: TopologyInfo, progress: (line: string) => void): Promise<HostsRun> {
  const simulated = topology.hosts;
  if (simulated === undefined) throw new Error("--topology hosts made no hosts");
  const cpus = { server: topology.serverCpu, client: topology.clientCpu };
  const agents = await startSimulatedAgents(simulated, cpus);
  try {
    const places = [agents.server, ...agents.clients];
    const records = await describe(places, simulated.hosts.map((h) => `${h.managementAddress}:${SIMULATED_AGENT_PORT}`), simulated.hosts.map((h) => h.namespace));
    for (const [i, h] of simulated.hosts.entries()) progress(`host ${h.name}: agent pid ${agents.pids[h.name]} in ${h.namespace}, listening on ${records[i]?.agent}`);
    // One machine: /proc/stat is the same for every host, so the client CPU's ticks are the generators'.
    return { records, serverAddress: agents.server.benchAddress, runScenario: hostsScenarioRunner(agents.server, agents.clients, cpus), stop: agents.stop };
  } catch (error) {
    await agents.stop();
    throw error;
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
      const hello = await agent.call("Hello", { driver: "wirecost" });
      // The same defaults as on one host: the server on the host's last CPU, a generator on its first.
      const cpu = spec.role === "server" ? (config.serverCpu ?? hello.cpuCount - 1) : (config.clientCpu ?? 0);
      places[places.length - 1] = { agent, benchAddress: hello.benchAddress, interfaces: [hello.benchInterface], cpu };
      progress(`host ${spec.name}: agent at ${spec.address} on ${hello.hostname}, benchmark on ${hello.benchInterface} ${hello.benchAddress} (CPU ${cpu})`);
    }
    const records = await describe(places, ordered.map((s) => s.address), []);
    const [server, ...clients] = places as [HostPlace, ...HostPlace[]];
    // Each host has its own /proc/stat: the server host's says nothing of a generator's CPU elsewhere.
    const runScenario = hostsScenarioRunner(server, clients, { server: server.cpu, client: null });
    return { records, serverAddress: server.benchAddress, runScenario, stop: async () => places.forEach((p) => p.agent.close()) };
  } catch (error) {
    for (const p of places) p.agent.close();
    throw error;
  }
}
