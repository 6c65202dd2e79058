/**
 * `--topology hosts`: an agent (bench/agent/) in each simulated host's namespace, listening on its management link
 * only, with a token made for the run — the same agents and calls as on real hosts, so the driver cannot tell them
 * apart. Each agent is pinned to the client CPU (the harness's) once it answers, so its snapshots at the window's
 * edges take nothing from the server's CPU, and stops when the harness goes away (--exit-with-stdin).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectAgent } from "../agent/client.ts";
import { AGENT_DEFAULT_PORT } from "../agent/protocol.ts";
import { spawnTracked, describeExit } from "../support/child-process.ts";
import type { TrackedChild } from "../support/child-process.ts";
import type { SimulatedHostsInfo } from "../topology/index.ts";
import type { HostPlace } from "./hosts-scenario.ts";

const AGENT_BIN = fileURLToPath(new URL("../agent/bin.ts", import.meta.url));
/** Every simulated host is a namespace of its own, so one fixed port serves them all. */
export const SIMULATED_AGENT_PORT = AGENT_DEFAULT_PORT;
const READY_TIMEOUT_MS = 20_000;

export interface SimulatedAgents {
  readonly server: HostPlace;
  readonly clients: readonly HostPlace[];
  /** The agents' processes, for the result: which pid played which host. */
  readonly pids: Readonly<Record<string, number>>;
  /** Closes the connections and stops every agent (each stops what it runs), then removes the token. */
  stop(): Promise<void>;
}

export async function startSimulatedAgents(hosts: SimulatedHostsInfo, cpus: { readonly server: number; readonly client: number }): Promise<SimulatedAgents> {
  const dir = mkdtempSync(join(tmpdir(), "wirecost-agents-"));
  const tokenFile = join(dir, "token");
  const token = randomBytes(16).toString("hex");
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  const children: TrackedChild[] = [];
  const places: HostPlace[] = [];
  const stop = async (): Promise<void> => {
    for (const p of places) p.agent.close();
    await Promise.all(children.map((c) => c.stop(5_000)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const host of hosts.hosts) {
      const listen = `${host.managementAddress}:${SIMULATED_AGENT_PORT}`;
      // --cpus: started by a harness pinned to the client CPU, its own affinity would offer that CPU alone.
      const placeable = `${cpus.server},${cpus.client}`;
      const argv = [process.execPath, AGENT_BIN, "--listen", listen, "--bench-address", host.address, "--token-file", tokenFile, "--cpus", placeable, "--exit-with-stdin"];
      const child = spawnTracked(`agent of ${host.name}`, { file: "ip", args: ["netns", "exec", host.namespace, ...argv] });
      children.push(child);
      const agent = connectAgent(host.name, `${host.managementAddress}:${SIMULATED_AGENT_PORT}`, token);
      places.push({ agent, benchAddress: host.address, interfaces: ["eth0"], cpu: host.name === "server" ? cpus.server : cpus.client });
    }
    await Promise.all(places.map((p, i) => untilAnswering(p, children[i] as TrackedChild)));
    // Pinned once it answers, every thread of it (the harness's own CPU, inherited, already is: this makes it so
    // whatever --client-cpu says).
    for (const child of children) {
      const pinned = spawnSync("taskset", ["-a", "-p", "-c", String(cpus.client), String(child.pid)], { encoding: "utf8" });
      if (pinned.status !== 0) throw new Error(`taskset could not pin ${child.name} (pid ${child.pid}) to CPU ${cpus.client}: ${pinned.stderr.trim()}`);
    }
    const [server, ...clients] = places as [HostPlace, ...HostPlace[]];
    return { server, clients, pids: Object.fromEntries(places.map((p, i) => [p.agent.host, (children[i] as TrackedChild).pid])), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The agent answers Hello, or its process said why not. */
async function untilAnswering(place: HostPlace, child: TrackedChild): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.hasExited()) throw new Error(describeExit(`the agent of ${place.agent.host}`, await child.exited, child.stderrTail()));
    try {
      await place.agent.call("Hello", { driver: "wirecost" }, 1_000);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the agent of ${place.agent.host} did not answer within ${READY_TIMEOUT_MS / 1000} s: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
