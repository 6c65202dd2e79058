/**
 * Counts the packets of a classic pcap file (as tcpdump -w writes) whose timestamps fall in a window. Pure.
 * Format: a 24-byte global header whose magic tells byte order and µs/ns timestamps, then per packet a 16-byte
 * header (ts_sec, ts_frac, incl_len, orig_len) and incl_len bytes (pcap-savefile(5)).
 */

export interface PcapCount {
  /** Every packet in the file. */
  readonly total: number;
  /** Packets with fromEpochUs ≤ timestamp < toEpochUs. */
  readonly inWindow: number;
  readonly linkType: number;
  /** True when the file ended inside a record (tcpdump killed mid-write). */
  readonly truncated: boolean;
}

export class PcapFormatError extends Error {
  override readonly name = "PcapFormatError";
}

export function countPcapPackets(buf: Uint8Array, fromEpochUs: number, toEpochUs: number): PcapCount {
  if (buf.length < 24) throw new PcapFormatError(`pcap file too short for its header (${buf.length} bytes)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magicLE = view.getUint32(0, true);
  let little: boolean;
  let fracPerUs: number;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) {
    little = true;
    fracPerUs = magicLE === 0xa1b23c4d ? 1000 : 1;
  } else {
    const magicBE = view.getUint32(0, false);
    if (magicBE !== 0xa1b2c3d4 && magicBE !== 0xa1b23c4d) throw new PcapFormatError(`not a pcap file (magic 0x${magicLE.toString(16)})`);
    little = false;
    fracPerUs = magicBE === 0xa1b23c4d ? 1000 : 1;
  }
  const linkType = view.getUint32(20, little) & 0x0fffffff;
  let offset = 24;
  let total = 0;
  let inWindow = 0;
  while (offset + 16 <= buf.length) {
    const sec = view.getUint32(offset, little);
    const frac = view.getUint32(offset + 4, little);
    const inclLen = view.getUint32(offset + 8, little);
    if (offset + 16 + inclLen > buf.length) break;
    const tsUs = sec * 1_000_000 + frac / fracPerUs;
    total++;
    if (tsUs >= fromEpochUs && tsUs < toEpochUs) inWindow++;
    offset += 16 + inclLen;
  }
  return { total, inWindow, linkType, truncated: offset !== buf.length };
}
