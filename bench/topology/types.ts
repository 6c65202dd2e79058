/**
 * The topology contract: what a run's network looks like, how commands are placed into it, and the JSON-able
 * record of it that goes into result.json.
 */
import type { OffloadState } from "./ethtool.ts";

export const TOPOLOGY_KINDS = ["netns", "bridge", "loopback", "docker", "hosts"] as const;
export type TopologyKind = (typeof TOPOLOGY_KINDS)[number];

export function isTopologyKind(value: string): value is TopologyKind {
  return (TOPOLOGY_KINDS as readonly string[]).includes(value);
}

export type Role = "server" | "client";
/**
 * Where the server eth0's receive work runs. "rps": steered to the server CPU with RPS (an IPI per batch).
 * "threaded-napi": veth's NAPI path (sender TSO off, server GRO on) polled by a `napi/eth0-<id>` kernel thread pinned
 * to the server CPU. "none": on the sending CPU, in the sender's task context
 * (docs/kernel-notes.md § "Where veth receive work runs").
 */
export type RxSteering = "rps" | "threaded-napi" | "none";
export const RX_STEERING_MODES: readonly RxSteering[] = ["rps", "threaded-napi", "none"];
export type OffloadMode = "default" | "off";

export interface CreateTopologyOptions {
  readonly kind: TopologyKind;
  /** Names everything the run creates; 1–48 of [A-Za-z0-9_.-]. */
  readonly runId: string;
  /** Default: the highest CPU this process may run on. */
  readonly serverCpu?: number;
  /** Default: the lowest CPU this process may run on (CPU 0). */
  readonly clientCpu?: number;
  /** Default "rps": the server eth0's receive processing is steered to the server CPU. */
  readonly rxSteering?: RxSteering;
  /** Default 1500, on every veth end and the bridge. */
  readonly mtu?: number;
  /** Default "default" (the veth defaults: TSO/GSO on, GRO off). "off" turns TSO, GSO and GRO off on every veth end. */
  readonly offloads?: OffloadMode;
  /** Per-command timeout for ip/ethtool/tc, ms. Default 10 000. */
  readonly commandTimeoutMs?: number;
  /** docker only: which NAT tool loads the rules. Default "auto": nftables when `nft` exists, else iptables. */
  readonly natBackend?: NatBackendChoice;
  /**
   * docker only: the ports published on the host address (`docker run -p`). Default: every TCP and UDP port,
   * each to the same port of the server container (`-p 1-65535:1-65535`), since servers listen on port 0.
   */
  readonly publish?: readonly PublishedPort[];
  /** hosts only: how many client hosts (namespaces) share the wire with the server host. Default 1. */
  readonly clientHosts?: number;
}

export type NatBackendChoice = "auto" | "nftables" | "iptables";
/** What loaded the docker topology's NAT: `nft`, or `iptables` in its nf_tables or legacy flavour. */
export type NatBackend = "nftables" | "iptables-nft" | "iptables-legacy";

/** One `docker run -p HOSTPORT:CPORT[/proto]` mapping, or a range kept port for port. */
export interface PublishedPort {
  readonly protocol: "tcp" | "udp";
  /** Inclusive range on the published (host) address; a single port is `[p, p]`. */
  readonly hostPorts: readonly [number, number];
  /** The server container's port for a single published port; null keeps each port as it is. */
  readonly containerPort: number | null;
}

/** "loopback": the shared `lo` of the loopback topology. */
export type InterfaceRole = "server" | "client" | "bridge" | "bridge-port" | "loopback";

export interface InterfaceInfo {
  readonly role: InterfaceRole;
  readonly name: string;
  /** null: the host namespace (loopback topology). */
  readonly namespace: string | null;
  readonly address: string | null;
  readonly prefixLength: number | null;
  readonly mtu: number;
  readonly ifindex: number;
  readonly mac: string | null;
  /** As `ethtool -k` reported them after setup; null when ethtool is missing. */
  readonly offloads: OffloadState | null;
}

/** The docker topology's host side: bridge, NAT and what the kernel does with it. */
export interface DockerInfo {
  /** The "host" namespace: it holds the bridge, the NAT rules and ip_forward = 1. */
  readonly hostNamespace: string;
  /** The bridge, like docker0. */
  readonly bridge: string;
  /** The bridge's address: the containers' default gateway, and the address ports are published on. */
  readonly gatewayAddress: string;
  /** What the client connects to (= `TopologyInfo.serverAddress`). */
  readonly publishedAddress: string;
  /** The server container's own address (= `TopologyInfo.serverListenAddress`). */
  readonly serverContainerAddress: string;
  readonly publishedPorts: readonly PublishedPort[];
  readonly nat: {
    readonly backend: NatBackend;
    /** e.g. "nftables v1.0.6 (Lester Gooch #5)". */
    readonly version: string;
    /** nftables: "ip wirecost_docker"; iptables: null (rules sit in the built-in nat and filter tables). */
    readonly table: string | null;
    /** The rules as loaded, in the backend's own syntax, in load order. */
    readonly rules: readonly string[];
  };
  /** `net.ipv4.ip_forward` as read back: 1 in the host namespace, 0 in both containers. */
  readonly ipForward: { readonly host: number; readonly server: number; readonly client: number };
  /** `net.bridge.bridge-nf-call-iptables` of the host namespace as read back (Docker needs 1: see docker-nat.ts). */
  readonly bridgeNfCallIptables: number;
  /** Hairpin mode on the bridge ports, as Docker sets it with the userland proxy off. */
  readonly hairpin: boolean;
  readonly userlandProxy: false;
  /** Whose address the server sees on an accepted connection: the client container's (DNAT only, no masquerade). */
  readonly serverSeesSource: "client";
  readonly conntrack: {
    /** The host namespace's conntrack table file exists (the kernel has nf_conntrack). */
    readonly present: boolean;
    /** Where to read it from outside: `/proc/<host anchor pid>/net/nf_conntrack`. */
    readonly procFile: string | null;
    /** `net.netfilter.nf_conntrack_max` of the host namespace; null when unreadable. */
    readonly max: number | null;
    /** Whether the `conntrack` tool (Debian package conntrack) is installed. */
    readonly tool: boolean;
  };
}

export interface NetemInfo {
  readonly qdisc: "netem";
  /** The validated netem arguments, e.g. ["delay", "1ms", "loss", "0.1%"]. */
  readonly args: readonly string[];
  readonly interfaces: readonly { readonly namespace: string; readonly name: string }[];
}

/** A `napi/<dev>-<id>` kernel thread made by threaded NAPI, and the CPUs it may run on after pinning. */
export interface NapiThreadInfo {
  readonly pid: number;
  readonly name: string;
  /** `Cpus_allowed_list` read back after `taskset -p`. */
  readonly cpus: string;
}

export interface RateLimitInfo {
  readonly qdisc: "tbf";
  readonly rateBitsPerSecond: number;
  readonly burstBytes: number;
  readonly latencyMs: number;
  /** Egress of each of these interfaces is shaped. */
  readonly interfaces: readonly { readonly namespace: string; readonly name: string }[];
}

/** Everything that describes the run's network, as plain JSON. */
export interface TopologyInfo {
  readonly kind: TopologyKind;
  readonly runId: string;
  readonly namespaces: {
    readonly server: string | null;
    readonly client: string | null;
    readonly bridge: string | null;
  };
  /** e.g. "198.18.7.0/24"; null for loopback. */
  readonly subnet: string | null;
  /** What the client connects to (docker: the published address on the host side, not the server's own). */
  readonly serverAddress: string;
  /** What the server binds. Equal to `serverAddress` except for docker (the server container's address). */
  readonly serverListenAddress?: string;
  readonly clientAddress: string;
  readonly interfaces: readonly InterfaceInfo[];
  readonly serverCpu: number;
  readonly clientCpu: number;
  readonly rxSteering: {
    readonly mode: RxSteering;
    /** What `rx-0/rps_cpus` of the server eth0 read back after writing (every rx queue gets the same mask). */
    readonly rpsCpus: string | null;
    /** threaded-napi: `/sys/class/net/eth0/threaded` of the server as read back, and its NAPI threads. */
    readonly threaded?: number | null;
    readonly napiThreads?: readonly NapiThreadInfo[];
    /** threaded-napi: the device whose TSO was turned off so veth takes its NAPI path ("<namespace>/<dev>"). */
    readonly tsoOffOn?: string | null;
  };
  readonly offloadMode: OffloadMode;
  readonly mtu: number;
  /** IPv6 is disabled in run namespaces so router solicitations and MLD reports do not add packets. */
  readonly ipv6: "disabled" | "host";
  /** Permanent ARP entries between server and client, so no ARP traffic appears in a window. */
  readonly neighbors: "static" | "host";
  readonly rateLimit: RateLimitInfo | null;
  /** Set while `applyNetem` is in force. */
  readonly netem?: NetemInfo | null;
  /** docker only: the host side. */
  readonly docker?: DockerInfo | null;
  /** hosts only: every simulated host, its address on the wire and its management link. */
  readonly hosts?: SimulatedHostsInfo;
  readonly stateFile: string | null;
  readonly warnings: readonly string[];
}

/**
 * The hosts topology: namespaces that play hosts on one wire (a bridge, as a switch), each with a second link to the
 * host namespace for the driver's control traffic, so that benchmark and control traffic never share an interface.
 */
export interface SimulatedHostsInfo {
  readonly hosts: readonly SimulatedHost[];
}

export interface SimulatedHost {
  /** "server", "client", "client-2", …: the name the run's result gives the host. */
  readonly name: string;
  readonly namespace: string;
  /** Its address on the wire (eth0). */
  readonly address: string;
  /** Its end of the management link (mgmt0), where its agent listens. */
  readonly managementAddress: string;
  /** The host namespace's end of that link, where the driver's calls come from. */
  readonly driverAddress: string;
  /** The management link's name in the host namespace. */
  readonly driverLink: string;
}

/** What to spawn: `spawn(cmd.file, cmd.args)`. */
export interface SpawnCommand {
  readonly file: string;
  readonly args: readonly string[];
}

export interface RateLimitOptions {
  readonly rateBitsPerSecond: number;
  /** Default: the larger of 32 KiB and 10 ms of traffic at the rate. */
  readonly burstBytes?: number;
  /** How long a packet may wait in the bucket's queue, ms. Default 50. */
  readonly latencyMs?: number;
}

export interface Topology {
  /** A fresh snapshot of the record each time it is read. */
  readonly info: TopologyInfo;
  readonly destroyed: boolean;
  /**
   * Wraps `argv` to run inside the role's namespace pinned to its CPU: `ip netns exec <ns> taskset -c <cpu> argv…`
   * (loopback: `taskset -c <cpu> argv…`). Both exec, so the spawned child's pid is the final program's pid.
   */
  command(role: Role, argv: readonly string[]): SpawnCommand;
  /**
   * A pid inside the role's namespace that lives until destroy, for `/proc/<pid>/net/*` reads: a `sleep` started
   * by the topology. Loopback: this process's pid (the host namespace).
   */
  anchorPid(role: Role): number;
  /**
   * bridge and docker: a pid inside the namespace holding the bridge (docker: the host namespace, with the NAT
   * and conntrack), for `/proc/<pid>/net/*` — the bridge ports' packets, `nf_conntrack`. Null for netns and
   * loopback.
   */
  bridgeAnchorPid(): number | null;
  /** Shapes egress of the server and client eth0 with tc tbf (replacing an earlier limit). Not for loopback. */
  applyRateLimit(limit: RateLimitOptions): Promise<RateLimitInfo>;
  removeRateLimit(): Promise<void>;
  /**
   * Puts netem (validated arguments, see `parseNetemSpec`) as the root qdisc of the server and client eth0.
   * Throws `TOPOLOGY_UNSUPPORTED` where the kernel lacks sch_netem, `TOPOLOGY_INVALID_OPTION` with a rate limit.
   */
  applyNetem(spec: string | readonly string[]): Promise<NetemInfo>;
  removeNetem(): Promise<void>;
  /**
   * Removes everything created, last-first, best-effort: kills processes left in the namespaces, deletes them
   * (and the veth ends inside), removes the state file. Idempotent. Throws a `TopologyError` with an
   * `AggregateError` cause listing what could not be removed.
   */
  destroy(): Promise<void>;
  /** The same, synchronously (spawnSync), for signal handlers. */
  destroySync(): void;
}

export type TopologyErrorCode =
  | "TOPOLOGY_UNSUPPORTED"
  | "TOPOLOGY_INVALID_OPTION"
  | "TOPOLOGY_SETUP_FAILED"
  | "TOPOLOGY_ABORTED"
  | "TOPOLOGY_CLEANUP_FAILED";

export class TopologyError extends Error {
  readonly code: TopologyErrorCode;

  constructor(code: TopologyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TopologyError";
    this.code = code;
  }
}
