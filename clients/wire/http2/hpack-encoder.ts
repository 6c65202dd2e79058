/**
 * The request side of HPACK (RFC 7541), encoded once per client: a client sends the same header list on every
 * request, so it is turned into bytes at start-up (nghttp2's h2load submits the same pre-built list per request too).
 *
 * Three blocks: `indexing` — the first request on a connection — sends each field not in the static table as a
 * literal with incremental indexing (§6.2.1), which puts it into the server's dynamic table; `indexed` — every later
 * request — refers to those entries by index (§6.1), so a request's HEADERS block is a few octets, as nghttp2's
 * (node:http2's) are; `plain` is the fallback when the server's table cannot hold them: literals without indexing
 * (§6.2.2). Strings are not Huffman-coded: only the first block carries them.
 *
 * `RequestHeaderEncoder` is the per-connection state: which block comes next, and the dynamic table size update
 * (§6.3) owed after the server lowered SETTINGS_HEADER_TABLE_SIZE (RFC 9113 §4.3.1, RFC 7541 §4.2).
 */

import { DEFAULT_HEADER_TABLE_SIZE } from "./frames.ts";
import { ENTRY_OVERHEAD_BYTES } from "./hpack-decoder.ts";
import { FIRST_DYNAMIC_INDEX, staticIndexOf, staticNameIndexOf } from "./hpack-static-table.ts";

export type HeaderField = readonly [name: string, value: string];

/** §5.1: `value` with an N-bit prefix; `flags` are the first byte's bits above the prefix. */
export function encodeInteger(out: number[], value: number, prefixBits: number, flags: number): void {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    out.push(flags | value);
    return;
  }
  out.push(flags | max);
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
}

/** §5.2 without Huffman coding: H = 0, the length, the octets. */
function encodeString(out: number[], text: string): void {
  const bytes = Buffer.from(text, "latin1");
  encodeInteger(out, bytes.length, 7, 0);
  for (const byte of bytes) out.push(byte);
}

/** §6.3: a dynamic table size update to `size`. */
export function encodeTableSizeUpdate(size: number): Buffer {
  const out: number[] = [];
  encodeInteger(out, size, 5, 0x20);
  return Buffer.from(out);
}

export interface RequestHeaderBlocks {
  readonly indexing: Buffer;
  readonly indexed: Buffer;
  readonly plain: Buffer;
  /** Octets of dynamic table the indexing block fills (§4.1). */
  readonly tableBytes: number;
}

/** Encodes `fields` (names in lower case, pseudo-header fields first: RFC 9113 §8.2.1, §8.3). */
export function prepareRequestHeaders(fields: readonly HeaderField[]): RequestHeaderBlocks {
  const indexing: number[] = [];
  const indexed: number[] = [];
  const plain: number[] = [];
  const added: HeaderField[] = [];
  for (const [name, value] of fields) {
    const full = staticIndexOf(name, value);
    if (full !== 0) {
      for (const out of [indexing, indexed, plain]) encodeInteger(out, full, 7, 0x80); // §6.1
      continue;
    }
    const nameIndex = staticNameIndexOf(name);
    encodeInteger(indexing, nameIndex, 6, 0x40); // §6.2.1
    encodeInteger(plain, nameIndex, 4, 0x00); // §6.2.2
    if (nameIndex === 0) {
      encodeString(indexing, name);
      encodeString(plain, name);
    }
    encodeString(indexing, value);
    encodeString(plain, value);
    added.push([name, value]);
  }
  // Entries go in at the front (§2.3.3): after all insertions the last field added has index 62.
  for (const [name, value] of fields) {
    const position = added.findIndex(([n, v]) => n === name && v === value);
    if (position !== -1) encodeInteger(indexed, FIRST_DYNAMIC_INDEX + added.length - 1 - position, 7, 0x80);
  }
  const tableBytes = added.reduce((sum, [name, value]) => sum + name.length + value.length + ENTRY_OVERHEAD_BYTES, 0);
  return { indexing: Buffer.from(indexing), indexed: Buffer.from(indexed), plain: Buffer.from(plain), tableBytes };
}

/** One connection's request encoder: which block the next HEADERS carries. */
export class RequestHeaderEncoder {
  readonly #blocks: RequestHeaderBlocks;
  /** The table size the encoder uses (§4.2): the default until the server's setting lowers it. */
  #maxTableBytes = DEFAULT_HEADER_TABLE_SIZE;
  #updateOwed = false;
  #indexingSent = false;
  /** The entries were (or may have been) evicted: never index again on this connection. */
  #plainOnly = false;

  constructor(blocks: RequestHeaderBlocks) {
    this.#blocks = blocks;
  }

  /** The server's SETTINGS_HEADER_TABLE_SIZE, applied when we acknowledge its SETTINGS. */
  peerTableSize(bytes: number): void {
    if (bytes >= this.#maxTableBytes) return; // a larger table need not be used, and needs no signal
    this.#maxTableBytes = bytes;
    this.#updateOwed = true;
    if (this.#blocks.tableBytes > bytes) this.#plainOnly = true;
  }

  /** The header block for the next request, in the order requests go on the wire. */
  next(): Buffer {
    const block = this.#choose();
    if (!this.#updateOwed) return block;
    this.#updateOwed = false;
    return Buffer.concat([encodeTableSizeUpdate(this.#maxTableBytes), block]);
  }

  #choose(): Buffer {
    if (this.#plainOnly || this.#blocks.tableBytes > this.#maxTableBytes) return this.#blocks.plain;
    if (this.#indexingSent) return this.#blocks.indexed;
    this.#indexingSent = true;
    return this.#blocks.indexing;
  }
}
