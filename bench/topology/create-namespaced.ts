/**
 * The namespaced topologies: netns, bridge, docker and hosts.
 *
 * hosts: the bridge topology with further client namespaces on the bridge (`-cli2` …), every one of them a
 * simulated host with a management link of its own to the host namespace (management.ts), where the driver reaches
 * the agent the run starts inside it (bench/hosts/).
 *
 * netns: `wirecost-<runId>-srv` and `-cli` joined by a veth pair whose ends are `eth0` in each, the way a
 * container's eth0 meets its peer. bridge: each joined by a veth pair to a Linux bridge `br0` inside
 * `wirecost-<runId>-br`. docker: the same with the bridge called `docker0` inside `wirecost-<runId>-host`, which
 * plays the Docker host: the bridge has the gateway address, ip_forward is on there, and NAT publishes the server
 * container's ports on the gateway address (docker-nat.ts says why this layout and which rules).
 *
 * Why the server is a second container on the same bridge, reached through the host's published port, and not a
 * process in the host namespace: a published port exists to reach a container, and with the server in the host
 * namespace no DNAT would happen at all. Container-to-container through a published port with the userland proxy
 * off is the path where both directions cross the bridge and pass br_netfilter, conntrack, the nat hooks and the
 * filter FORWARD chain — every piece Docker adds — with both ends measurable in their own namespaces like the
 * other kinds. (The DNATed request is not routed: its new destination sits on the same bridge, so br_netfilter
 * re-addresses the frame and bridges it on, net/bridge/br_netfilter_hooks.c `br_nf_pre_routing_finish()`; the
 * host namespace's `Ip: ForwDatagrams` stays 0 and docker0 receives nothing.)
 */
import type { ChildProcess } from "node:child_process";
import { startAnchor } from "./anchor.ts";
import { defaultPublishedPorts, validatePublishedPorts } from "./docker-nat.ts";
import { detectNatBackend, readConntrack, readIpForward, setUpDockerHost } from "./docker-setup.ts";
import { run } from "./exec.ts";
import { addManagementLink, managementLink } from "./management.ts";
import { dockerAddresses, hostLinkName, namespaceName, pickSubnet } from "./naming.ts";
import type { NamespaceRole } from "./naming.ts";
import type { ResolvedTopologyOptions } from "./options.ts";
import type { RunResources } from "./resources.ts";
import { steerThreadedNapi } from "./rx-steering.ts";
import {
  addAddressAndUp,
  addBridge,
  addNamespace,
  addStaticNeighbor,
  addVethPair,
  ETHTOOL_MISSING,
  linkDetails,
  readOffloads,
  type SetupContext,
  steerRps,
  turnOffloadsOff,
  type VethEnd,
} from "./setup.ts";
import { ownerStatus, readProcStartTime, readStateFiles, stateFilePath, writeStateFile } from "./state.ts";
import type { BaseInfo } from "./topology.ts";
import type { DockerInfo, InterfaceInfo, InterfaceRole, Role, SimulatedHost, TopologyInfo } from "./types.ts";
import { TopologyError } from "./types.ts";

interface PlannedLink {
  readonly role: InterfaceRole;
  readonly namespace: string;
  readonly name: string;
}

export interface NamespacedResult {
  readonly base: BaseInfo;
  readonly anchors: ReadonlyMap<Role, ChildProcess>;
  readonly hostAnchor: ChildProcess | null;
}

/** Builds everything; on failure the caller destroys `resources`, which holds exactly what exists. */
export async function buildNamespaced(opts: ResolvedTopologyOptions, resources: RunResources): Promise<NamespacedResult> {
  const { runId } = opts;
  if (process.getuid?.() !== 0) {
    // checkTopologySupport says the same with the fix; this keeps a direct call from failing on an EACCES.
    throw new TopologyError("TOPOLOGY_UNSUPPORTED", `--topology ${opts.kind} needs root to create network namespaces`);
  }
  const docker = opts.kind === "docker";
  const bridgeName = docker ? "docker0" : "br0";
  const ns = {
    server: namespaceName(runId, "srv"),
    client: namespaceName(runId, "cli"),
    bridge: opts.kind === "netns" ? null : namespaceName(runId, docker ? "host" : "br"),
  };
  const published = opts.publish ?? defaultPublishedPorts();
  if (docker) {
    try {
      validatePublishedPorts(published);
    } catch (err) {
      throw new TopologyError("TOPOLOGY_INVALID_OPTION", (err as Error).message);
    }
  }
  // Before anything is created: a missing NAT tool is a clean refusal, not a half-built topology.
  const natBackend = docker ? await detectNatBackend(opts.natBackend) : null;
  const srvEnd: VethEnd = { hostName: hostLinkName(runId, "s"), namespace: ns.server, name: "eth0" };
  const cliEnd: VethEnd = { hostName: hostLinkName(runId, "c"), namespace: ns.client, name: "eth0" };
  // hosts: the client hosts after the first, each on a bridge port of its own (veth-cli2 …).
  const extraClients = Array.from({ length: opts.clientHosts - 1 }, (_, i) => {
    const n = i + 2;
    return { n, namespace: namespaceName(runId, `cli${n}` as NamespaceRole), port: `veth-cli${n}` };
  });
  const pairs: [VethEnd, VethEnd][] =
    ns.bridge === null
      ? [[srvEnd, cliEnd]]
      : [
          [srvEnd, { hostName: hostLinkName(runId, "sb"), namespace: ns.bridge, name: "veth-srv" }],
          [cliEnd, { hostName: hostLinkName(runId, "cb"), namespace: ns.bridge, name: "veth-cli" }],
          ...extraClients.map((c): [VethEnd, VethEnd] => [
            { hostName: hostLinkName(runId, `c${c.n}`), namespace: c.namespace, name: "eth0" },
            { hostName: hostLinkName(runId, `cb${c.n}`), namespace: ns.bridge as string, name: c.port },
          ]),
        ];
  const bridgePorts = ["veth-srv", "veth-cli", ...extraClients.map((c) => c.port)];
  const links: PlannedLink[] = [
    { role: "server", namespace: ns.server, name: "eth0" },
    { role: "client", namespace: ns.client, name: "eth0" },
    ...(ns.bridge === null
      ? []
      : ([
          ...bridgePorts.map((name) => ({ role: "bridge-port", namespace: ns.bridge as string, name }) as const),
          { role: "bridge", namespace: ns.bridge, name: bridgeName },
        ] as const)),
    // hosts: the further client hosts' eth0, after the rest so that the first two stay the server's and the client's;
    // --offloads off and the record of offloads cover them too.
    ...extraClients.map((c) => ({ role: "client", namespace: c.namespace, name: "eth0" }) as const),
  ];
  const hostsNamespaces = opts.kind === "hosts" ? [ns.server, ns.client, ...extraClients.map((c) => c.namespace)] : [];
  const namespaces = [ns.server, ns.client, ...(ns.bridge === null ? [] : [ns.bridge]), ...extraClients.map((c) => c.namespace)];
  const hostLinks = [...pairs.flatMap(([a, b]) => [a.hostName, b.hostName]), ...hostsNamespaces.map((_, i) => hostLinkName(runId, `m${i}`))];
  const ctx: SetupContext = { resources, timeoutMs: opts.commandTimeoutMs };
  const ipCmd = async (args: readonly string[]): Promise<void> => {
    await run("ip", args, opts.commandTimeoutMs, (child) => resources.track(child));
    resources.throwIfAborted();
  };
  const warnings = [...opts.warnings];

  const taken = new Set<number>();
  for (const entry of readStateFiles()) {
    if (entry.state?.subnetIndex != null && ownerStatus(entry.state) === "alive") taken.add(entry.state.subnetIndex);
  }
  const subnet = pickSubnet(runId, taken);
  const addr = docker
    ? dockerAddresses(subnet)
    : { gateway: null, client: subnet.clientAddress, serverContainer: subnet.serverAddress };
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
  if (ns.bridge !== null) await addBridge(ctx, ns.bridge, bridgeName, bridgePorts, opts.mtu);
  const prefix = `/${subnet.prefixLength}`;
  await addAddressAndUp(ctx, ns.server, "eth0", addr.serverContainer + prefix);
  await addAddressAndUp(ctx, ns.client, "eth0", addr.client + prefix);
  const net = subnet.serverAddress.slice(0, subnet.serverAddress.lastIndexOf("."));
  // The first client host is .2 as in every kind; the others follow it.
  const extraAddress = (n: number): string => `${net}.${n + 1}`;
  for (const c of extraClients) await addAddressAndUp(ctx, c.namespace, "eth0", extraAddress(c.n) + prefix);
  const simulated: SimulatedHost[] = [];
  for (const [i, namespace] of hostsNamespaces.entries()) {
    const link = managementLink(runId, subnet, i);
    await addManagementLink(ctx, namespace, link);
    const name = i === 0 ? "server" : i === 1 ? "client" : `client-${i}`;
    const address = i === 0 ? addr.serverContainer : i === 1 ? addr.client : extraAddress(i);
    simulated.push({ name, namespace, address, managementAddress: link.address, driverAddress: link.driverAddress, driverLink: link.driverLink });
  }

  let dockerSetup: Awaited<ReturnType<typeof setUpDockerHost>> | null = null;
  if (docker && ns.bridge !== null && addr.gateway !== null && natBackend !== null) {
    await addAddressAndUp(ctx, ns.bridge, bridgeName, addr.gateway + prefix);
    // Containers route everything via the bridge's address, as Docker sets their default route.
    for (const name of [ns.server, ns.client]) await ipCmd(["-n", name, "route", "add", "default", "via", addr.gateway, "dev", "eth0"]);
    dockerSetup = await setUpDockerHost(ctx, {
      namespace: ns.bridge,
      bridge: bridgeName,
      subnet: subnet.cidr,
      serverContainer: addr.serverContainer,
      published,
      ports: ["veth-srv", "veth-cli"],
      backend: natBackend,
    });
  }

  const veths = links.filter((l) => l.role !== "bridge");
  if (opts.offloads === "off") for (const l of veths) await turnOffloadsOff(ctx, l.namespace, l.name);
  let rxSteering: TopologyInfo["rxSteering"];
  switch (opts.rxSteering) {
    case "rps":
      rxSteering = { mode: "rps", rpsCpus: await steerRps(ctx, ns.server, "eth0", opts.serverCpu) };
      break;
    case "threaded-napi": {
      // The server eth0's sender is its veth peer: the client eth0, or the bridge's port towards the server.
      const sender = ns.bridge === null ? { namespace: ns.client, dev: "eth0" } : { namespace: ns.bridge, dev: "veth-srv" };
      const napi = await steerThreadedNapi(ctx, { namespace: ns.server, dev: "eth0", sender, cpu: opts.serverCpu });
      rxSteering = { mode: "threaded-napi", rpsCpus: null, threaded: napi.threaded, napiThreads: napi.threads, tsoOffOn: napi.tsoOffOn };
      break;
    }
    case "none":
      rxSteering = { mode: "none", rpsCpus: null };
      break;
    default: {
      const never: never = opts.rxSteering;
      throw new TopologyError("TOPOLOGY_INVALID_OPTION", `unknown receive steering ${String(never)}`);
    }
  }

  const interfaces: InterfaceInfo[] = [];
  for (const l of links) {
    const details = await linkDetails(ctx, l.namespace, l.name);
    const offloads = l.role === "bridge" ? null : await readOffloads(ctx, l.namespace, l.name);
    interfaces.push({ role: l.role, name: l.name, namespace: l.namespace, ...details, offloads });
  }
  if (interfaces.some((i) => i.role !== "bridge" && i.offloads === null)) {
    if (opts.offloads === "off") throw new Error("--offloads off needs ethtool (Debian package ethtool)");
    warnings.push(ETHTOOL_MISSING);
  }
  const server = interfaces[0] as InterfaceInfo;
  const client = interfaces[1] as InterfaceInfo;
  // Permanent neighbour entries: no ARP request ever lands in a measured window.
  await addStaticNeighbor(ctx, ns.server, "eth0", addr.client, client.mac ?? "");
  if (docker && ns.bridge !== null && addr.gateway !== null) {
    const gateway = interfaces.find((i) => i.role === "bridge") as InterfaceInfo;
    await addStaticNeighbor(ctx, ns.client, "eth0", addr.gateway, gateway.mac ?? "");
    await addStaticNeighbor(ctx, ns.server, "eth0", addr.gateway, gateway.mac ?? "");
    await addStaticNeighbor(ctx, ns.bridge, bridgeName, addr.serverContainer, server.mac ?? "");
    await addStaticNeighbor(ctx, ns.bridge, bridgeName, addr.client, client.mac ?? "");
    // Static forwarding entries too, so no frame is flooded to the other container before the bridge learns.
    for (const [mac, port] of [[server.mac, "veth-srv"], [client.mac, "veth-cli"]] as const) {
      await run("bridge", ["-n", ns.bridge, "fdb", "replace", mac ?? "", "dev", port, "master", "static"], opts.commandTimeoutMs);
      resources.throwIfAborted();
    }
  } else {
    await addStaticNeighbor(ctx, ns.client, "eth0", addr.serverContainer, server.mac ?? "");
  }
  for (const c of extraClients) {
    const mac = (await linkDetails(ctx, c.namespace, "eth0")).mac ?? "";
    await addStaticNeighbor(ctx, ns.server, "eth0", extraAddress(c.n), mac);
    await addStaticNeighbor(ctx, c.namespace, "eth0", addr.serverContainer, server.mac ?? "");
  }

  const anchors = new Map<Role, ChildProcess>();
  for (const [role, name] of [["server", ns.server], ["client", ns.client]] as const) {
    // Recorded at spawn, not at readiness: a signal in between must still kill it.
    const anchor = await startAnchor(name, opts.commandTimeoutMs, (child) => resources.record({ kind: "process", child }));
    resources.throwIfAborted();
    anchors.set(role, anchor);
  }
  let hostAnchor: ChildProcess | null = null;
  if (ns.bridge !== null) {
    // The bridge ports' counters are part of the contamination guard's sum, and docker's conntrack lives here.
    hostAnchor = await startAnchor(ns.bridge, opts.commandTimeoutMs, (child) => resources.record({ kind: "process", child }));
    resources.throwIfAborted();
  }
  let dockerInfo: DockerInfo | null = null;
  if (docker && ns.bridge !== null && addr.gateway !== null && dockerSetup !== null && hostAnchor !== null) {
    dockerInfo = {
      hostNamespace: ns.bridge,
      bridge: bridgeName,
      gatewayAddress: addr.gateway,
      publishedAddress: addr.gateway,
      serverContainerAddress: addr.serverContainer,
      publishedPorts: published,
      ...dockerSetup,
      ipForward: {
        host: await readIpForward(ctx, ns.bridge),
        server: await readIpForward(ctx, ns.server),
        client: await readIpForward(ctx, ns.client),
      },
      userlandProxy: false,
      serverSeesSource: "client",
      conntrack: await readConntrack(ctx, ns.bridge, hostAnchor.pid as number),
    };
  }

  const base: BaseInfo = {
    kind: opts.kind,
    runId,
    namespaces: ns,
    subnet: subnet.cidr,
    serverAddress: addr.gateway ?? addr.serverContainer,
    serverListenAddress: addr.serverContainer,
    clientAddress: addr.client,
    interfaces,
    serverCpu: opts.serverCpu,
    clientCpu: opts.clientCpu,
    rxSteering,
    offloadMode: opts.offloads,
    mtu: opts.mtu,
    ipv6: "disabled",
    neighbors: "static",
    ...(docker ? { docker: dockerInfo } : {}),
    ...(opts.kind === "hosts" ? { hosts: { hosts: simulated } } : {}),
    stateFile: stateFilePath(runId),
    warnings,
  };
  return { base, anchors, hostAnchor };
}
