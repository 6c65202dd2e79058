/**
 * `createTopology`: the run's network for `--topology netns | bridge | loopback`.
 *
 * netns: `wirecost-<runId>-srv` and `-cli` joined by a veth pair whose ends are `eth0` in each, the way a
 * container's eth0 meets its peer. bridge: each of them joined by a veth pair to a Linux bridge `br0` inside
 * `wirecost-<runId>-br`, like docker0. loopback: nothing is created; the host's `lo` is shared with everything else.
 * On any failure (or a signal handler destroying it mid-way) everything created so far is removed before the error
 * is thrown.
 */
import type { ChildProcess } from "node:child_process";
import { startAnchor } from "./anchor.ts";
import { hostLinkName, namespaceName, pickSubnet } from "./naming.ts";
import { type ResolvedTopologyOptions, resolveTopologyOptions } from "./options.ts";
import { RunResources } from "./resources.ts";
import {
  addAddressAndUp,
  addBridge,
  addNamespace,
  addStaticNeighbor,
  addVethPair,
  linkDetails,
  readOffloads,
  type SetupContext,
  steerRps,
  turnOffloadsOff,
  type VethEnd,
} from "./setup.ts";
import { ownerStatus, readProcStartTime, readStateFiles, stateFilePath, writeStateFile } from "./state.ts";
import { type BaseInfo, RunTopology } from "./topology.ts";
import type { CreateTopologyOptions, InterfaceInfo, InterfaceRole, Role, Topology } from "./types.ts";
import { TopologyError } from "./types.ts";

const BRIDGE_NAME = "br0";
const LOOPBACK_WARNING =
  "loopback topology: no namespaces, so interface, TCP and softirq counters include all other local traffic on this host";

export async function createTopology(options: CreateTopologyOptions): Promise<Topology> {
  const opts = resolveTopologyOptions(options);
  switch (opts.kind) {
    case "loopback":
      return createLoopback(opts);
    case "netns":
    case "bridge":
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
  if (opts.offloads === "off") warnings.push("loopback topology: offloads left as they are (it would change the host's lo)");
  if (opts.mtuGiven) warnings.push(`loopback topology: MTU ${opts.mtu} not applied (it would change the host's lo)`);
  const lo = await linkDetails(ctx, null, "lo");
  let offloads = null;
  try {
    offloads = await readOffloads(ctx, null, "lo");
  } catch (err) {
    warnings.push(`offloads of lo not recorded: ${(err as Error).message}`);
  }
  if (offloads === null) warnings.push("offloads not recorded: ethtool is missing (Debian package ethtool)");
  const base: BaseInfo = {
    kind: "loopback",
    runId: opts.runId,
    namespaces: { server: null, client: null, bridge: null },
    subnet: null,
    serverAddress: "127.0.0.1",
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

interface PlannedLink {
  readonly role: InterfaceRole;
  readonly namespace: string;
  readonly name: string;
}

async function createNamespaced(opts: ResolvedTopologyOptions): Promise<Topology> {
  const { runId } = opts;
  if (process.getuid?.() !== 0) {
    // checkTopologySupport says the same with the fix; this keeps a direct call from failing on an EACCES.
    throw new TopologyError("TOPOLOGY_UNSUPPORTED", `--topology ${opts.kind} needs root to create network namespaces`);
  }
  const bridged = opts.kind === "bridge";
  const ns = {
    server: namespaceName(runId, "srv"),
    client: namespaceName(runId, "cli"),
    bridge: bridged ? namespaceName(runId, "br") : null,
  };
  const srvEnd: VethEnd = { hostName: hostLinkName(runId, "s"), namespace: ns.server, name: "eth0" };
  const cliEnd: VethEnd = { hostName: hostLinkName(runId, "c"), namespace: ns.client, name: "eth0" };
  const pairs: [VethEnd, VethEnd][] =
    ns.bridge === null
      ? [[srvEnd, cliEnd]]
      : [
          [srvEnd, { hostName: hostLinkName(runId, "sb"), namespace: ns.bridge, name: "veth-srv" }],
          [cliEnd, { hostName: hostLinkName(runId, "cb"), namespace: ns.bridge, name: "veth-cli" }],
        ];
  const links: PlannedLink[] = [
    { role: "server", namespace: ns.server, name: "eth0" },
    { role: "client", namespace: ns.client, name: "eth0" },
    ...(ns.bridge === null
      ? []
      : ([
          { role: "bridge-port", namespace: ns.bridge, name: "veth-srv" },
          { role: "bridge-port", namespace: ns.bridge, name: "veth-cli" },
          { role: "bridge", namespace: ns.bridge, name: BRIDGE_NAME },
        ] as const)),
  ];
  const namespaces = [ns.server, ns.client, ...(ns.bridge === null ? [] : [ns.bridge])];
  const hostLinks = pairs.flatMap(([a, b]) => [a.hostName, b.hostName]);

  const resources = new RunResources(runId, opts.commandTimeoutMs);
  const ctx: SetupContext = { resources, timeoutMs: opts.commandTimeoutMs };
  const warnings = [...opts.warnings];
  try {
    const taken = new Set<number>();
    for (const entry of readStateFiles()) {
      if (entry.state?.subnetIndex != null && ownerStatus(entry.state) === "alive") taken.add(entry.state.subnetIndex);
    }
    const subnet = pickSubnet(runId, taken);
    writeStateFile({
      version: 1,
      runId,
      kind: opts.kind,
      ownerPid: process.pid,
      ownerStartTime: readProcStartTime(process.pid),
      createdAt: new Date().toISOString(),
      subnetIndex: subnet.index,
      namespaces,
      hostLinks,
    });
    resources.add({ kind: "state-file", runId });
    resources.plan([
      ...namespaces.map((name) => ({ kind: "namespace", name }) as const),
      ...hostLinks.map((name) => ({ kind: "host-link", name }) as const),
    ]);

    for (const name of namespaces) await addNamespace(ctx, name);
    for (const [a, b] of pairs) await addVethPair(ctx, a, b, opts.mtu);
    if (ns.bridge !== null) await addBridge(ctx, ns.bridge, BRIDGE_NAME, ["veth-srv", "veth-cli"], opts.mtu);
    const prefix = `/${subnet.prefixLength}`;
    await addAddressAndUp(ctx, ns.server, "eth0", subnet.serverAddress + prefix);
    await addAddressAndUp(ctx, ns.client, "eth0", subnet.clientAddress + prefix);

    const veths = links.filter((l) => l.role !== "bridge");
    if (opts.offloads === "off") for (const l of veths) await turnOffloadsOff(ctx, l.namespace, l.name);
    const rpsCpus = opts.rxSteering === "rps" ? await steerRps(ctx, ns.server, "eth0", opts.serverCpu) : null;

    const interfaces: InterfaceInfo[] = [];
    for (const l of links) {
      const details = await linkDetails(ctx, l.namespace, l.name);
      const offloads = l.role === "bridge" ? null : await readOffloads(ctx, l.namespace, l.name);
      interfaces.push({ role: l.role, name: l.name, namespace: l.namespace, ...details, offloads });
    }
    if (interfaces.some((i) => i.role !== "bridge" && i.offloads === null)) {
      if (opts.offloads === "off") throw new Error("--offloads off needs ethtool (Debian package ethtool)");
      warnings.push("offloads not recorded: ethtool is missing (Debian package ethtool)");
    }
    const server = interfaces[0] as InterfaceInfo;
    const client = interfaces[1] as InterfaceInfo;
    // Permanent neighbour entries: no ARP request ever lands in a measured window.
    await addStaticNeighbor(ctx, ns.server, "eth0", subnet.clientAddress, client.mac ?? "");
    await addStaticNeighbor(ctx, ns.client, "eth0", subnet.serverAddress, server.mac ?? "");

    const anchors = new Map<Role, ChildProcess>();
    for (const [role, name] of [["server", ns.server], ["client", ns.client]] as const) {
      // Recorded at spawn, not at readiness: a signal in between must still kill it.
      const anchor = await startAnchor(name, opts.commandTimeoutMs, (child) => resources.record({ kind: "process", child }));
      resources.throwIfAborted();
      anchors.set(role, anchor);
    }

    const base: BaseInfo = {
      kind: opts.kind,
      runId,
      namespaces: ns,
      subnet: subnet.cidr,
      serverAddress: subnet.serverAddress,
      clientAddress: subnet.clientAddress,
      interfaces,
      serverCpu: opts.serverCpu,
      clientCpu: opts.clientCpu,
      rxSteering: { mode: opts.rxSteering, rpsCpus },
      offloadMode: opts.offloads,
      mtu: opts.mtu,
      ipv6: "disabled",
      neighbors: "static",
      stateFile: stateFilePath(runId),
      warnings,
    };
    resources.created();
    return new RunTopology(base, resources, anchors, opts.commandTimeoutMs);
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
