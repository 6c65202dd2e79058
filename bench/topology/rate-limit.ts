/**
 * Egress shaping with tc tbf (present on this kernel; netem is not — KERNEL-NOTES.md). The arithmetic and the argv
 * are pure; topology.ts runs them.
 */
import type { RateLimitOptions } from "./types.ts";

export interface ResolvedRateLimit {
  readonly rateBitsPerSecond: number;
  readonly burstBytes: number;
  readonly latencyMs: number;
}

const MIN_BURST_BYTES = 32 * 1024;
const ETHERNET_HEADER_BYTES = 14;

/**
 * Fills the defaults. The bucket must hold at least one full frame, and at least one timer tick of traffic or tbf
 * cannot reach its rate (tc-tbf(8): "burst … must be at least rate / HZ"); 10 ms covers HZ ≥ 100.
 */
export function resolveRateLimit(limit: RateLimitOptions, mtu: number): ResolvedRateLimit {
  const rate = limit.rateBitsPerSecond;
  if (!Number.isSafeInteger(rate) || rate < 1000) {
    throw new RangeError(`rate limit must be a whole number of bits per second ≥ 1000, got ${rate}`);
  }
  const floor = Math.max(MIN_BURST_BYTES, mtu + ETHERNET_HEADER_BYTES, Math.ceil(rate / 8 / 100));
  const burstBytes = limit.burstBytes ?? floor;
  if (!Number.isSafeInteger(burstBytes) || burstBytes < mtu + ETHERNET_HEADER_BYTES) {
    throw new RangeError(`rate-limit burst must be at least one frame (${mtu + ETHERNET_HEADER_BYTES} bytes), got ${burstBytes}`);
  }
  const latencyMs = limit.latencyMs ?? 50;
  if (!Number.isFinite(latencyMs) || latencyMs <= 0) throw new RangeError(`rate-limit latency must be > 0 ms, got ${latencyMs}`);
  return { rateBitsPerSecond: rate, burstBytes, latencyMs };
}

export function tbfArgs(namespace: string, dev: string, limit: ResolvedRateLimit): string[] {
  return [
    "-n", namespace, "qdisc", "replace", "dev", dev, "root", "tbf",
    "rate", `${limit.rateBitsPerSecond}bit`,
    "burst", String(limit.burstBytes),
    "latency", `${limit.latencyMs}ms`,
  ];
}
