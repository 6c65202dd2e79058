/**
 * The topology contract: what a run's network looks like, how commands are placed into it, and the JSON-able
 * record of it that goes into result.json.
 */
import type { OffloadState } from "./ethtool.ts";

export const TOPOLOGY_KINDS = ["netns", "bridge", "loopback"] as const;
export type TopologyKind = (typeof TOPOLOGY_KINDS)[number];

export function isTopologyKind(value: string): value is TopologyKind {
  return (TOPOLOGY_KINDS as readonly string[]).includes(value);
}

export type Role = "server" | "client";
export type RxSteering = "rps" | "none";
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
  readonly serverAddress: string;
  readonly clientAddress: string;
  readonly interfaces: readonly InterfaceInfo[];
  readonly serverCpu: number;
  readonly clientCpu: number;
  readonly rxSteering: {
    readonly mode: RxSteering;
    /** What `rx-0/rps_cpus` of the server eth0 read back after writing (every rx queue gets the same mask). */
    readonly rpsCpus: string | null;
  };
  readonly offloadMode: OffloadMode;
  readonly mtu: number;
  /** IPv6 is disabled in run namespaces so router solicitations and MLD reports do not add packets. */
  readonly ipv6: "disabled" | "host";
  /** Permanent ARP entries between server and client, so no ARP traffic appears in a window. */
  readonly neighbors: "static" | "host";
  readonly rateLimit: RateLimitInfo | null;
  readonly stateFile: string | null;
  readonly warnings: readonly string[];
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
  /** Shapes egress of the server and client eth0 with tc tbf (replacing an earlier limit). Not for loopback. */
  applyRateLimit(limit: RateLimitOptions): Promise<RateLimitInfo>;
  removeRateLimit(): Promise<void>;
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
