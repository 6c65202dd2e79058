/**
 * Chooses where the children run (bench/topology/) and adapts the topology to the scenario runner's Placer.
 * `auto` is netns when this process may create namespaces, else loopback with a warning recorded in the result.
 * Leftovers of killed runs are removed first, so they cannot pollute this run's counters.
 */
import type { BenchConfig } from "../config/config.ts";
import { UsageError } from "../support/errors.ts";
import { makeRunId } from "./run.ts";
import type { Placer } from "./scenario.ts";
import { checkNetem, checkTopologySupport, cleanupLeftovers, createTopology, findLeftovers, leftAloneLine, TopologyError } from "../topology/index.ts";
import type { Topology, TopologyInfo, TopologyKind } from "../topology/index.ts";
import { placeHarness } from "./harness-placement.ts";
import type { HarnessPlacement } from "../results/schema.ts";

export interface Placement {
  readonly runId: string;
  readonly placer: Placer;
  /** Null when the run is on other hosts, through their agents (`--agents`): nothing is made here. */
  readonly topology: TopologyInfo | null;
  /** Where the harness itself runs (bench/run/harness-placement.ts). */
  readonly harness: HarnessPlacement;
  /** The placement's warnings (a fallback, leftovers removed), not the topology's. */
  readonly warnings: string[];
  destroy(): Promise<void>;
  /** For a forced exit from a signal handler. */
  destroySync(): void;
}

function asUsageError(error: unknown): unknown {
  if (error instanceof TopologyError && (error.code === "TOPOLOGY_INVALID_OPTION" || error.code === "TOPOLOGY_UNSUPPORTED")) {
    return new UsageError("WC_BAD_VALUE", error.message);
  }
  return error;
}

export function placerOf(topology: Topology): Placer {
  const info = topology.info;
  const bridgePorts = info.interfaces.filter((i) => i.role === "bridge" || i.role === "bridge-port").map((i) => i.name);
  const bridgePid = topology.bridgeAnchorPid();
  return {
    kind: info.kind,
    serverAddress: info.serverAddress,
    serverListenAddress: info.serverListenAddress ?? info.serverAddress,
    bridge: bridgePid === null || bridgePorts.length === 0 ? null : { pid: bridgePid, interfaces: bridgePorts },
    serverCpu: info.serverCpu,
    clientCpu: info.clientCpu,
    command: (role, argv) => topology.command(role, argv),
    anchorPid: (role) => topology.anchorPid(role),
    namespace: (role) => (role === "server" ? info.namespaces.server : info.namespaces.client),
  };
}

async function chooseKind(config: BenchConfig, warnings: string[]): Promise<TopologyKind> {
  if (config.topology === "auto") {
    const netns = await checkTopologySupport("netns");
    if (netns.ok) return "netns";
    warnings.push(`falling back to --topology loopback: ${netns.reason}`);
    return "loopback";
  }
  const support = await checkTopologySupport(config.topology);
  if (!support.ok) {
    const code = /root/.test(support.reason) ? "WC_NEEDS_ROOT" : /install/.test(support.fix) ? "WC_MISSING_TOOL" : "WC_UNSUPPORTED";
    throw new UsageError(code, `${support.reason}; ${support.fix}`);
  }
  return config.topology;
}

/**
 * `--agents`: the hosts are elsewhere and their agents place everything there (bench/hosts/); nothing is created
 * here, and the scenario runner never asks this placer to run a command.
 */
export function remotePlacement(serverAddress: string): Placement {
  const nothingHere = (): never => {
    throw new Error("a run through agents starts nothing on the driver's host");
  };
  return {
    runId: makeRunId(),
    placer: { kind: "agents", serverAddress, serverCpu: null, clientCpu: null, command: nothingHere },
    topology: null,
    harness: { cpu: null, error: "the driver runs unpinned: the load is on the agents' hosts" },
    warnings: [],
    destroy: async () => {},
    destroySync: () => {},
  };
}

export async function choosePlacer(config: BenchConfig, warn: (line: string) => void): Promise<Placement> {
  const warnings: string[] = [];
  const runId = makeRunId();
  const kind = await chooseKind(config, warnings);
  if (kind !== "loopback") {
    const leftovers = await findLeftovers();
    const report = await cleanupLeftovers(leftovers);
    const leftAlone = leftAloneLine(leftovers);
    if (leftAlone !== null) warnings.push(leftAlone);
    for (const l of report.removed) warnings.push(`removed leftovers of an earlier run (${l.reason}): ${[...l.namespaces, ...l.hostLinks].join(", ")}`);
    for (const f of report.failures) warnings.push(`could not remove leftovers ${f.leftover.namespaces.join(", ")}: ${String(f.error)}`);
  }
  if (config.netem !== null) {
    const netem = await checkNetem();
    if (!netem.ok) throw new UsageError("WC_UNSUPPORTED", `${netem.reason}; drop --netem`);
  }
  let topology: Topology;
  try {
    topology = await createTopology({
      kind,
      runId,
      rxSteering: config.rxSteering,
      offloads: config.offloads,
      ...(config.mtu === null ? {} : { mtu: config.mtu }),
      ...(config.serverCpu === null ? {} : { serverCpu: config.serverCpu }),
      ...(config.clientCpu === null ? {} : { clientCpu: config.clientCpu }),
      ...(kind === "hosts" ? { clientHosts: config.clientHosts } : {}),
    });
  } catch (error) {
    throw asUsageError(error);
  }
  try {
    if (config.rateLimitBitsPerSecond !== null) await topology.applyRateLimit({ rateBitsPerSecond: config.rateLimitBitsPerSecond });
    if (config.netem !== null) await topology.applyNetem(config.netem);
  } catch (error) {
    await topology.destroy();
    throw asUsageError(error);
  }
  const placed = placeHarness(topology.info.clientCpu);
  const harness = placed.placement;
  if (harness.error !== undefined) warnings.push(harness.error);
  for (const w of [...warnings, ...topology.info.warnings]) warn(w);
  return {
    runId,
    placer: placerOf(topology),
    topology: topology.info,
    harness,
    // The topology's own warnings travel in `topology.warnings`; the report prints both lists, so each once.
    warnings,
    destroy: async () => {
      placed.restore();
      await topology.destroy();
    },
    destroySync: () => {
      placed.restore();
      topology.destroySync();
    },
  };
}
