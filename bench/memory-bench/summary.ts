/**
 * The memory benchmark's arithmetic: resident memory read from /proc/<pid>/status, and how fast it grows. Pure.
 */

/** VmRSS and VmHWM (peak resident), KiB, from /proc/<pid>/status; null when the process is gone. */
export function parseStatusKb(text: string): { rssKb: number; peakKb: number } | null {
  const field = (name: string): number | null => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(text);
    return m === null ? null : Number(m[1]);
  };
  const rssKb = field("VmRSS");
  const peakKb = field("VmHWM");
  return rssKb === null || peakKb === null ? null : { rssKb, peakKb };
}

export interface MemoryPoint {
  /** Seconds since the load's warm-up began. */
  readonly s: number;
  /** Resident memory, or live heap, KiB. */
  readonly kb: number;
}

/**
 * The least-squares slope of memory (resident, or the live heap) over time, in MiB per hour, over the points from `fromS` on (after
 * start-up and the JIT have settled): what a run's memory grows by per hour it keeps running. Null with fewer than
 * three points.
 */
export function growthMiBPerHour(points: readonly MemoryPoint[], fromS: number): number | null {
  const used = points.filter((p) => p.s >= fromS);
  if (used.length < 3) return null;
  const n = used.length;
  const meanS = used.reduce((sum, p) => sum + p.s, 0) / n;
  const meanKb = used.reduce((sum, p) => sum + p.kb, 0) / n;
  let cov = 0;
  let varS = 0;
  for (const p of used) {
    cov += (p.s - meanS) * (p.kb - meanKb);
    varS += (p.s - meanS) ** 2;
  }
  if (varS === 0) return null;
  return ((cov / varS) * 3600) / 1024;
}

/**
 * A full collection from `node --trace-gc`'s line, e.g. `[123:0x1f]   721 ms: Mark-Compact 26.9 (38.8) -> 22.6 (40.8)
 * MB, …`: when (ms since the process started) and the heap still in use after it, MB: the live heap. Null for any
 * other line (scavenges collect only the young generation and say nothing of what lives on).
 */
export function parseFullGc(line: string): { ms: number; liveMb: number } | null {
  const m = /^\[\d+:0x[0-9a-f]+\]\s+(\d+) ms: Mark-Compact [\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/.exec(line);
  return m === null ? null : { ms: Number(m[1]), liveMb: Number(m[2]) };
}
