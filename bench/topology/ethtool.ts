/**
 * Parsing `ethtool -k DEV` ("Features for eth0:" then `name: on|off [fixed]|[requested on]` lines, sub-features
 * indented by a tab). Pure.
 */

export interface EthtoolFeature {
  readonly on: boolean;
  /** `[fixed]`: the driver does not let it change. */
  readonly fixed: boolean;
}

/**
 * The three offloads that change what the interface counters count
 * (docs/kernel-notes.md § "TSO and GSO super-packets").
 */
export interface OffloadState {
  /** tcp-segmentation-offload */
  readonly tso: boolean | null;
  /** generic-segmentation-offload */
  readonly gso: boolean | null;
  /** generic-receive-offload */
  readonly gro: boolean | null;
}

export function parseEthtoolFeatures(text: string): Record<string, EthtoolFeature> {
  const features: Record<string, EthtoolFeature> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([a-z0-9][a-z0-9_-]*):\s+(on|off)(?:\s+\[(fixed|requested (?:on|off))\])?\s*$/.exec(line);
    if (m === null) continue;
    features[m[1] as string] = { on: m[2] === "on", fixed: m[3] === "fixed" };
  }
  return features;
}

export function offloadStateOf(features: Record<string, EthtoolFeature>): OffloadState {
  return {
    tso: features["tcp-segmentation-offload"]?.on ?? null,
    gso: features["generic-segmentation-offload"]?.on ?? null,
    gro: features["generic-receive-offload"]?.on ?? null,
  };
}
