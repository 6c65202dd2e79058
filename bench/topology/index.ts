/**
 * The topology API: where servers and load generators run, and the record of it.
 */
export { createTopology } from "./create-topology.ts";
export { checkTopologySupport, type TopologySupport } from "./support.ts";
export {
  cleanupLeftovers,
  isClaimed,
  leftAloneLine,
  type CleanupReport,
  findLeftovers,
  type Leftover,
  type LeftoverReason,
  registerCleanupOnSignals,
  type SignalCleanupOptions,
} from "./cleanup.ts";
export { destroyAllTopologiesSync } from "./resources.ts";
export { type EthtoolFeature, type OffloadState, offloadStateOf, parseEthtoolFeatures } from "./ethtool.ts";
export { formatCpuMask, parseCpuList, parseCpuMask } from "./cpu-mask.ts";
export { STATE_DIR, type RunState } from "./state.ts";
export { MIN_RATE_BITS_PER_SECOND, parseRate, resolveRateLimit, type ResolvedRateLimit, shapingRefusal } from "./rate-limit.ts";
export { checkNetem, NETEM_UNSUPPORTED, type NetemCheck, type NetemSpec, parseNetemSpec } from "./netem.ts";
export {
  defaultPublishedPorts,
  formatPublishedPort,
  iptablesRules,
  type NatPlan,
  nftRules,
  validatePublishedPorts,
} from "./docker-nat.ts";
export { detectNatBackend } from "./docker-setup.ts";
export { listNapiThreads, napiThreadsOf } from "./rx-steering.ts";
export {
  type CreateTopologyOptions,
  type DockerInfo,
  type InterfaceInfo,
  type InterfaceRole,
  isTopologyKind,
  type NapiThreadInfo,
  type NatBackend,
  type NatBackendChoice,
  type NetemInfo,
  type OffloadMode,
  type PublishedPort,
  type RateLimitInfo,
  type RateLimitOptions,
  type Role,
  RX_STEERING_MODES,
  type RxSteering,
  type SimulatedHost,
  type SimulatedHostsInfo,
  type SpawnCommand,
  type Topology,
  TopologyError,
  type TopologyErrorCode,
  type TopologyInfo,
  type TopologyKind,
  TOPOLOGY_KINDS,
} from "./types.ts";

import type { NetemInfo, RateLimitInfo, RateLimitOptions, Topology } from "./types.ts";

/** Shapes the server and client eth0 egress with tc tbf; removed by `removeRateLimit` or `destroy`. */
export function applyRateLimit(topology: Topology, limit: RateLimitOptions): Promise<RateLimitInfo> {
  return topology.applyRateLimit(limit);
}

export function removeRateLimit(topology: Topology): Promise<void> {
  return topology.removeRateLimit();
}

/**
 * Puts netem on the server and client eth0 (validated by `parseNetemSpec`, passed as argv); removed by
 * `removeNetem` or `destroy`. Where the kernel lacks sch_netem it throws `TOPOLOGY_UNSUPPORTED` with
 * `NETEM_UNSUPPORTED`; `checkNetem()` says so up front.
 */
export function applyNetem(topology: Topology, spec: string | readonly string[]): Promise<NetemInfo> {
  return topology.applyNetem(spec);
}

export function removeNetem(topology: Topology): Promise<void> {
  return topology.removeNetem();
}
export { runCpus } from "./options.ts";
