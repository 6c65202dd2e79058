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
  const counter = createPcapCounter(fromEpochUs, toEpochUs);
  counter.push(buf);
  return counter.finish();
}

export interface PcapCounter {
  /** The file's next bytes, in any chunking: a record split between chunks is joined. */
  push(chunk: Uint8Array): void;
  finish(): PcapCount;
}

/**
 * Counts a pcap stream chunk by chunk, holding at most one header's bytes: a capture of any size is counted in
 * constant memory (issue 11: --verify once read the whole file at once). A packet counts once its data is whole, as
 * a file cut inside a record does not hold that packet.
 */
export function createPcapCounter(fromEpochUs: number, toEpochUs: number): PcapCounter {
  let format: { little: boolean; fracPerUs: number; linkType: number } | null = null;
  /** The start of a header (global or record) that a chunk ended inside. */
  let partial = new Uint8Array(0);
  /** Bytes of the current record's data still to pass over, and its timestamp. */
  let skip = 0;
  let recordTsUs = 0;
  let seen = 0;
  let total = 0;
  let inWindow = 0;
  const count = (tsUs: number): void => {
    total++;
    if (tsUs >= fromEpochUs && tsUs < toEpochUs) inWindow++;
  };
  /** Reads the header that starts at `view`'s byte 0. */
  const readHeader = (view: DataView): void => {
    if (format === null) {
      const magicLE = view.getUint32(0, true);
      const magicBE = view.getUint32(0, false);
      const little = magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d;
      if (!little && magicBE !== 0xa1b2c3d4 && magicBE !== 0xa1b23c4d) throw new PcapFormatError(`not a pcap file (magic 0x${magicLE.toString(16)})`);
      const magic = little ? magicLE : magicBE;
      format = { little, fracPerUs: magic === 0xa1b23c4d ? 1000 : 1, linkType: view.getUint32(20, little) & 0x0fffffff };
      return;
    }
    const { little, fracPerUs } = format;
    const tsUs = view.getUint32(0, little) * 1_000_000 + view.getUint32(4, little) / fracPerUs;
    skip = view.getUint32(8, little);
    if (skip === 0) count(tsUs);
    else recordTsUs = tsUs;
  };
  return {
    push(chunk) {
      seen += chunk.length;
      let at = 0;
      while (at < chunk.length) {
        if (skip > 0) {
          const n = Math.min(skip, chunk.length - at);
          skip -= n;
          at += n;
          if (skip === 0) count(recordTsUs);
          continue;
        }
        const want = format === null ? 24 : 16;
        if (partial.length === 0 && chunk.length - at >= want) {
          readHeader(new DataView(chunk.buffer, chunk.byteOffset + at, want));
          at += want;
          continue;
        }
        const take = Math.min(want - partial.length, chunk.length - at);
        const joined = new Uint8Array(partial.length + take);
        joined.set(partial);
        joined.set(chunk.subarray(at, at + take), partial.length);
        at += take;
        if (joined.length < want) {
          partial = joined;
          break;
        }
        partial = new Uint8Array(0);
        readHeader(new DataView(joined.buffer, 0, want));
      }
    },
    finish() {
      if (format === null) throw new PcapFormatError(`pcap file too short for its header (${seen} bytes)`);
      return { total, inWindow, linkType: (format as { linkType: number }).linkType, truncated: partial.length > 0 || skip > 0 };
    },
  };
}
