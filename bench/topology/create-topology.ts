/**
 * `createTopology`: the run's network for `--topology netns | bridge | docker | loopback`.
 *
 * netns, bridge and docker are built by create-namespaced.ts. loopback: nothing is created; the host's `lo` is
 * shared with everything else. On any failure (or a signal handler destroying it mid-way) everything created so far
 * is removed before the error is thrown.
 */
import { buildNamespaced } from "./create-namespaced.ts";
import { ETHTOOL_MISSING, linkDetails, readOffloads, type SetupContext } from "./setup.ts";
import { type ResolvedTopologyOptions, resolveTopologyOptions } from "./options.ts";
import { RunResources } from "./resources.ts";
import { type BaseInfo, RunTopology } from "./topology.ts";
import type { CreateTopologyOptions, Topology } from "./types.ts";
import { TopologyError } from "./types.ts";

const LOOPBACK_WARNING =
  "loopback topology: no namespaces, so interface, TCP and softirq counters include all other local traffic on this host";

export async function createTopology(options: CreateTopologyOptions): Promise<Topology> {
  const opts = resolveTopologyOptions(options);
  switch (opts.kind) {
    case "loopback":
      return createLoopback(opts);
    case "netns":
    case "bridge":
    case "docker":
    case "hosts":
      return createNamespaced(opts);
    default: {
      const never: never = opts.kind;
      throw new TopologyError("TOPOLOGY_INVALID_OPTION", `unknown topology ${String(never)}`);
    }
  }
}

async function createLoopback(opts: ResolvedTopologyOptions): Promise<Topology> {
  const resources = new RunResources(opts.runId, opts.commandTimeoutMs);
  const ctx: SetupContext = { resources, timeoutMs: opts.commandTimeoutMs };
  const warnings = [LOOPBACK_WARNING, ...opts.warnings];
  // Nothing on the host's lo is changed: it is shared with every other process.
  if (opts.rxSteering === "rps") warnings.push("loopback topology: RPS not applied (it would change the host's lo)");
  if (opts.rxSteering === "threaded-napi") warnings.push("loopback topology: threaded NAPI not applied (lo has no NAPI of its own to thread)");
  if (opts.offloads === "off") warnings.push("loopback topology: offloads left as they are (it would change the host's lo)");
  if (opts.mtuGiven) warnings.push(`loopback topology: MTU ${opts.mtu} not applied (it would change the host's lo)`);
  const lo = await linkDetails(ctx, null, "lo");
  let offloads = null;
  try {
    offloads = await readOffloads(ctx, null, "lo");
  } catch (err) {
    warnings.push(`offloads of lo not recorded: ${(err as Error).message}`);
  }
  if (offloads === null) warnings.push(ETHTOOL_MISSING);
  const base: BaseInfo = {
    kind: "loopback",
    runId: opts.runId,
    namespaces: { server: null, client: null, bridge: null },
    subnet: null,
    serverAddress: "127.0.0.1",
    serverListenAddress: "127.0.0.1",
    clientAddress: "127.0.0.1",
    interfaces: [{ role: "loopback", name: "lo", namespace: null, ...lo, address: "127.0.0.1", prefixLength: 8, offloads }],
    serverCpu: opts.serverCpu,
    clientCpu: opts.clientCpu,
    rxSteering: { mode: "none", rpsCpus: null },
    offloadMode: "default",
    mtu: lo.mtu,
    ipv6: "host",
    neighbors: "host",
    stateFile: null,
    warnings,
  };
  return new RunTopology(base, resources, new Map(), opts.commandTimeoutMs);
}

async function createNamespaced(opts: ResolvedTopologyOptions): Promise<Topology> {
  const resources = new RunResources(opts.runId, opts.commandTimeoutMs);
  try {
    const { base, anchors, hostAnchor } = await buildNamespaced(opts, resources);
    resources.created();
    return new RunTopology(base, resources, anchors, opts.commandTimeoutMs, hostAnchor);
  } catch (err) {
    throw await failCreate(opts, resources, err);
  }
}

async function failCreate(opts: ResolvedTopologyOptions, resources: RunResources, err: unknown): Promise<TopologyError> {
  let cleanup = "";
  try {
    await resources.destroy();
  } catch (cleanupErr) {
    cleanup = `; cleanup also failed: ${(cleanupErr as Error).message}`;
  }
  if (err instanceof TopologyError && err.code !== "TOPOLOGY_SETUP_FAILED") {
    return cleanup === "" ? err : new TopologyError(err.code, err.message + cleanup, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new TopologyError("TOPOLOGY_SETUP_FAILED", `creating the ${opts.kind} topology for run ${opts.runId} failed: ${message}${cleanup}`, {
    cause: err,
  });
}
