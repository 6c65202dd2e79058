/**
 * CPU sets as the kernel writes them: hex bitmaps (`rps_cpus`) and range lists (`/sys/devices/system/cpu/online`,
 * `Cpus_allowed_list`). Pure functions.
 *
 * Bitmaps are printed in 32-bit groups separated by commas, most significant first (lib/bitmap-str.c,
 * `bitmap_print_to_pagebuf` with `%*pb`); the kernel pads to `nr_cpu_ids`, so compare parsed sets, not strings.
 */

const MAX_CPU = 8191; // CONFIG_NR_CPUS tops out at 8192 on x86_64

function assertCpu(cpu: number): void {
  if (!Number.isInteger(cpu) || cpu < 0 || cpu > MAX_CPU) throw new RangeError(`not a CPU number: ${cpu}`);
}

/** `[1]` → `"2"`, `[0]` → `"1"`, `[33]` → `"2,00000000"`, `[]` → `"0"`. */
export function formatCpuMask(cpus: readonly number[]): string {
  const words: number[] = [];
  for (const cpu of cpus) {
    assertCpu(cpu);
    const word = Math.floor(cpu / 32);
    while (words.length <= word) words.push(0);
    words[word] = ((words[word] ?? 0) | (1 << cpu % 32)) >>> 0;
  }
  if (words.length === 0) return "0";
  const groups = words.reverse().map((w, i) => (i === 0 ? w.toString(16) : w.toString(16).padStart(8, "0")));
  return groups.join(",");
}

/** `"00000000,00000002"` → `[1]`. Throws on anything but hex digits and commas. */
export function parseCpuMask(text: string): number[] {
  const trimmed = text.trim();
  if (!/^[0-9a-fA-F]+(,[0-9a-fA-F]+)*$/.test(trimmed)) throw new SyntaxError(`not a CPU mask: ${JSON.stringify(text)}`);
  const hex = trimmed.replaceAll(",", "");
  const cpus: number[] = [];
  for (let i = 0; i < hex.length; i++) {
    const nibble = Number.parseInt(hex[hex.length - 1 - i] ?? "0", 16);
    for (let bit = 0; bit < 4; bit++) if ((nibble >> bit) & 1) cpus.push(i * 4 + bit);
  }
  return cpus;
}

/** `"0-2,5"` → `[0, 1, 2, 5]`; an empty string is the empty set. */
export function parseCpuList(text: string): number[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const cpus = new Set<number>();
  for (const part of trimmed.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (m === null) throw new SyntaxError(`not a CPU list: ${JSON.stringify(text)}`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new SyntaxError(`not a CPU list: ${JSON.stringify(text)}`);
    for (let c = from; c <= to; c++) {
      assertCpu(c);
      cpus.add(c);
    }
  }
  return [...cpus].sort((a, b) => a - b);
}
