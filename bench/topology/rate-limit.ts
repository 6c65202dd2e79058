/**
 * Egress shaping with tc tbf (present on this kernel; netem is not —
 * docs/kernel-notes.md § "Kernel features present and absent"). The arithmetic and the argv are pure; topology.ts
 * runs them.
 */
import type { RateLimitOptions } from "./types.ts";

export interface ResolvedRateLimit {
  readonly rateBitsPerSecond: number;
  readonly burstBytes: number;
  readonly latencyMs: number;
}

const MIN_BURST_BYTES = 32 * 1024;
const ETHERNET_HEADER_BYTES = 14;
/** The slowest rate tbf is given here: below it a window carries next to nothing. */
export const MIN_RATE_BITS_PER_SECOND = 1000;

/**
 * Why the root-qdisc shaping a run asks for cannot be done on its topology, or null: a rate limit and netem both want
 * the server interface's root qdisc, and loopback would shape the host's own `lo`. The topology checks it again when
 * it applies them; the CLI checks it as the config resolves, before anything is made.
 */
export function shapingRefusal(kind: string, rateLimit: boolean, netem: boolean): string | null {
  if (rateLimit && netem) return "--netem with --rate-limit: both want the root qdisc; use netem's own `rate` instead";
  if (kind !== "loopback") return null;
  if (rateLimit) return "a rate limit needs --topology netns, bridge or docker (loopback would shape the host's lo)";
  if (netem) return "--netem needs --topology netns, bridge or docker (loopback would delay the host's lo)";
  return null;
}

/**
 * Fills the defaults. The bucket must hold at least one full frame, and at least one timer tick of traffic or tbf
 * cannot reach its rate (tc-tbf(8): "burst … must be at least rate / HZ"); 10 ms covers HZ ≥ 100.
 */
export function resolveRateLimit(limit: RateLimitOptions, mtu: number): ResolvedRateLimit {
  const rate = limit.rateBitsPerSecond;
  if (!Number.isSafeInteger(rate) || rate < MIN_RATE_BITS_PER_SECOND) {
    throw new RangeError(`rate limit must be a whole number of bits per second ≥ ${MIN_RATE_BITS_PER_SECOND}, got ${rate}`);
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

/** tc(8) "RATES" units, matched case-insensitively as tc does: SI prefixes ×1000, IEC ×1024, `bps` is bytes/s. */
const RATE_UNITS: Readonly<Record<string, number>> = {
  "": 1,
  bit: 1,
  kbit: 1e3,
  mbit: 1e6,
  gbit: 1e9,
  tbit: 1e12,
  kibit: 1024,
  mibit: 1024 ** 2,
  gibit: 1024 ** 3,
  tibit: 1024 ** 4,
  bps: 8,
  kbps: 8e3,
  mbps: 8e6,
  gbps: 8e9,
  tbps: 8e12,
  kibps: 8 * 1024,
  mibps: 8 * 1024 ** 2,
  gibps: 8 * 1024 ** 3,
  tibps: 8 * 1024 ** 4,
};

/**
 * `--rate-limit` text to bits per second, with tc's own units (tc(8) "RATES"): `100mbit` → 100 000 000,
 * `1gbit`, `500kbit`, `1.5mbit`; a bare number is bits per second. Note `mbps` is tc's *megabytes* per second.
 * Null for anything else (no unit tc lacks, no sign, no exponent, not zero). Pure.
 */
export function parseRate(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)([a-z]*)$/i.exec(text.trim());
  if (m === null) return null;
  const scale = RATE_UNITS[(m[2] as string).toLowerCase()];
  if (scale === undefined) return null;
  const bits = Math.round(Number(m[1]) * scale);
  return Number.isSafeInteger(bits) && bits > 0 ? bits : null;
}
