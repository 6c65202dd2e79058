/**
 * The topology API: where servers and load generators run, and the record of it.
 */
export { createTopology } from "./create-topology.ts";
export { checkTopologySupport, type TopologySupport } from "./support.ts";
export {
  cleanupLeftovers,
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
export {
  type CreateTopologyOptions,
  type InterfaceInfo,
  type InterfaceRole,
  isTopologyKind,
  type OffloadMode,
  type RateLimitInfo,
  type RateLimitOptions,
  type Role,
  type RxSteering,
  type SpawnCommand,
  type Topology,
  TopologyError,
  type TopologyErrorCode,
  type TopologyInfo,
  type TopologyKind,
  TOPOLOGY_KINDS,
} from "./types.ts";

import type { RateLimitInfo, RateLimitOptions, Topology } from "./types.ts";

/** Shapes the server and client eth0 egress with tc tbf; removed by `removeRateLimit` or `destroy`. */
export function applyRateLimit(topology: Topology, limit: RateLimitOptions): Promise<RateLimitInfo> {
  return topology.applyRateLimit(limit);
}

export function removeRateLimit(topology: Topology): Promise<void> {
  return topology.removeRateLimit();
}
