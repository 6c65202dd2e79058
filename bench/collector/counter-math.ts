import type { PerCpu } from "./per-cpu.ts";

const TWO_POW_32 = 2 ** 32;

/**
 * The increase of a 32-bit counter that may have wrapped (at most once) between `a` and `b`: 0xFFFFFFF0 → 0x10 is
 * +32. Apply it per CPU and per field, then sum — never to a sum (docs/kernel-notes.md § "32-bit counters wrap").
 */
export function delta32(a: number, b: number): number {
  return (((b - a) % TWO_POW_32) + TWO_POW_32) % TWO_POW_32;
}

/** 64-bit counters are taken plainly; a negative result means the counter was reset (device re-created). */
export function delta64(a: number, b: number): number {
  return b - a;
}

/** Per-CPU 32-bit deltas; a CPU present on one side only makes the whole set unusable. */
export function deltaPerCpu32(a: PerCpu, b: PerCpu, what: string): Record<string, number> {
  assertSameCpus(Object.keys(a), Object.keys(b), what);
  const out: Record<string, number> = {};
  for (const [cpu, end] of Object.entries(b)) {
    // assertSameCpus above makes this a formality.
    const start = a[cpu];
    if (start === undefined) throw new Error(`${what}: CPU ${cpu} not read at window start`);
    out[cpu] = delta32(start, end);
  }
  return out;
}

export function assertSameCpus(a: readonly string[], b: readonly string[], what: string): void {
  const left = [...a].sort().join(",");
  const right = [...b].sort().join(",");
  if (left !== right) throw new Error(`${what}: the CPU set changed in the window (${left} → ${right})`);
}
