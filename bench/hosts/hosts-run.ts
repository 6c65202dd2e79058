/**
 * The part of `npm run bench -- --topology hosts` around its scenarios: the agents started in the simulated hosts,
 * each host described by its own agent for the result's `hosts[]`, the runner the run's scenarios go through, and
 * everything stopped at the end (each agent stops what it runs; the topology's removal follows).
 */
import type { HostRecord } from "../results/schema.ts";
import type { ScenarioResult } from "../results/schema.ts";
import type { ScenarioPlan } from "../run/scenario.ts";
import type { TopologyInfo } from "../topology/index.ts";
import { hostsScenarioRunner } from "./hosts-runner.ts";
import { startSimulatedAgents, SIMULATED_AGENT_PORT } from "./simulated-agents.ts";

export interface HostsRun {
  readonly records: readonly HostRecord[];
  runScenario(plan: ScenarioPlan, signal: AbortSignal, progress: (line: string) => void): Promise<ScenarioResult>;
  stop(): Promise<void>;
}

export async function startHostsRun(topology: TopologyInfo, progress: (line: string) => void): Promise<HostsRun> {
  const simulated = topology.hosts;
  if (simulated === undefined) throw new Error("--topology hosts made no hosts");
  const cpus = { server: topology.serverCpu, client: topology.clientCpu };
  const agents = await startSimulatedAgents(simulated, cpus);
  try {
    const records: HostRecord[] = [];
    for (const [i, place] of [agents.server, ...agents.clients].entries()) {
      const host = simulated.hosts[i];
      if (host === undefined) throw new Error(`no simulated host for agent ${place.agent.host}`);
      const hello = await place.agent.call("Hello", { driver: "wirecost", interfaces: place.interfaces });
      records.push({
        name: place.agent.host,
        role: i === 0 ? "server" : "client",
        agent: `${host.managementAddress}:${SIMULATED_AGENT_PORT}`,
        benchAddress: place.benchAddress,
        namespace: host.namespace,
        hostname: hello.hostname,
        kernel: hello.kernel,
        cpuCount: hello.cpuCount,
        node: hello.node,
        cpu: place.cpu,
        nics: hello.nics,
      });
      progress(`host ${place.agent.host}: agent pid ${agents.pids[place.agent.host]} in ${host.namespace}, listening on ${host.managementAddress}:${SIMULATED_AGENT_PORT}`);
    }
    return { records, runScenario: hostsScenarioRunner(agents.server, agents.clients, cpus), stop: agents.stop };
  } catch (error) {
    await agents.stop();
    throw error;
  }
}
