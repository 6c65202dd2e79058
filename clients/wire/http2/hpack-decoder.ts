/**
 * An HPACK decoder (RFC 7541): the static table, the dynamic table with its size updates and eviction (§4), integer
 * and string literals (§5) with Huffman coding, and the five field representations (§6). One per connection: a
 * header block must be decoded even when its stream is gone, or the table drifts from the server's (RFC 9113 §4.3).
 *
 * Strings are made only where a representation carries a literal; an indexed field hands on the table's strings, so a
 * response whose fields all come from the table (the steady state against nghttp2, which indexes) allocates nothing.
 */

import { DEFAULT_HEADER_TABLE_SIZE, ErrorCode, Http2ConnectionError } from "./frames.ts";
import { huffmanDecode } from "./hpack-huffman.ts";
import { FIRST_DYNAMIC_INDEX, STATIC_TABLE } from "./hpack-static-table.ts";

export interface HeaderSink {
  field(name: string, value: string): void;
}

/** A table entry, static or dynamic: the same tuple shape, so a lookup hands on the stored pair without copying it. */
type Entry = readonly [name: string, value: string];

/** §4.1: an entry's size is its name's and value's octets (one per Latin-1 character) plus 32. */
export const ENTRY_OVERHEAD_BYTES = 32;

function entrySize(entry: Entry): number {
  return entry[0].length + entry[1].length + ENTRY_OVERHEAD_BYTES;
}

/** Integers above this are refused rather than read on (§5.1: "excessively large" encodings are an error). */
const MAX_INTEGER = 2 ** 28;

function compressionError(message: string): never {
  throw new Http2ConnectionError(ErrorCode.COMPRESSION_ERROR, message);
}

/** Offset just past the integer or string `readInteger`/`readString` last read (a second result without a tuple). */
let after = 0;

/** §5.1: an integer with an N-bit prefix, starting in the byte at `offset`. */
export function readInteger(buf: Uint8Array, offset: number, end: number, prefixBits: number): number {
  const mask = (1 << prefixBits) - 1;
  let value = (buf[offset] as number) & mask;
  let o = offset + 1;
  if (value === mask) {
    let scale = 1;
    for (;;) {
      if (o >= end) compressionError("an integer cut off by the end of the header block");
      const byte = buf[o++] as number;
      value += (byte & 0x7f) * scale;
      if (value > MAX_INTEGER) compressionError(`an integer above ${MAX_INTEGER}`);
      if ((byte & 0x80) === 0) break;
      scale *= 128;
    }
  }
  after = o;
  return value;
}

/** §5.2: a string literal (H bit, 7-bit prefix length, octets), as Latin-1 text. */
function readString(buf: Buffer, offset: number, end: number): string {
  if (offset >= end) compressionError("a string literal cut off by the end of the header block");
  const huffman = ((buf[offset] as number) & 0x80) !== 0;
  const length = readInteger(buf, offset, end, 7);
  const start = after;
  const stop = start + length;
  if (stop > end) compressionError(`a ${length}-byte string literal past the end of the header block`);
  after = stop;
  return huffman ? huffmanDecode(buf, start, stop) : buf.toString("latin1", start, stop);
}

export class HpackDecoder {
  /** Newest first: dynamic index 62 is `#entries[0]` (§2.3.3). */
  #entries: Entry[] = [];
  #size = 0;
  #maxSize: number;
  /** Our SETTINGS_HEADER_TABLE_SIZE: no size update may exceed it (§6.3). */
  readonly #limit: number;
  /** The name of the literal `#literal` just read. */
  #name = "";

  constructor(limit: number = DEFAULT_HEADER_TABLE_SIZE) {
    this.#limit = limit;
    this.#maxSize = limit;
  }

  /** §4.1: the table's size now, in octets. */
  get tableSize(): number {
    return this.#size;
  }

  /** The dynamic table, newest first (for tests and diagnostics). */
  get entries(): readonly Entry[] {
    return this.#entries.slice();
  }

  /** Decodes one complete header block, calling `sink.field` for each field in order. Throws COMPRESSION_ERROR. */
  decode(block: Buffer, sink: HeaderSink): void {
    const end = block.length;
    let o = 0;
    let fields = 0;
    while (o < end) {
      const byte = block[o] as number;
      if (byte >= 0x80) {
        // §6.1 Indexed Header Field
        const entry = this.#lookup(readInteger(block, o, end, 7));
        o = after;
        sink.field(entry[0], entry[1]);
        fields++;
      } else if (byte >= 0x40) {
        // §6.2.1 Literal with Incremental Indexing
        const value = this.#literal(block, o, end, 6);
        o = after;
        const name = this.#name;
        this.#insert([name, value]);
        sink.field(name, value);
        fields++;
      } else if (byte >= 0x20) {
        // §6.3 Dynamic Table Size Update: only before the block's first field (§4.2)
        if (fields > 0) compressionError("a dynamic table size update after a header field (RFC 7541 §4.2)");
        const size = readInteger(block, o, end, 5);
        o = after;
        if (size > this.#limit) compressionError(`a dynamic table size update to ${size}, above SETTINGS_HEADER_TABLE_SIZE ${this.#limit}`);
        this.#maxSize = size;
        this.#evict(0);
      } else {
        // §6.2.2 without indexing (0000) and §6.2.3 never indexed (0001): 4-bit prefix, the table untouched
        const value = this.#literal(block, o, end, 4);
        o = after;
        sink.field(this.#name, value);
        fields++;
      }
    }
  }

  /**
   * A literal representation: its name (indexed, or a literal when the index is 0) goes to `#name`, and its value is
   * returned — two results without a tuple per field.
   */
  #literal(block: Buffer, offset: number, end: number, prefixBits: number): string {
    const index = readInteger(block, offset, end, prefixBits);
    this.#name = index === 0 ? readString(block, after, end) : this.#lookup(index)[0];
    return readString(block, after, end);
  }

  #lookup(index: number): Entry {
    if (index === 0) compressionError("index 0 (RFC 7541 §6.1)");
    if (index < FIRST_DYNAMIC_INDEX) return STATIC_TABLE[index - 1] as Entry;
    const entry = this.#entries[index - FIRST_DYNAMIC_INDEX];
    if (entry === undefined) compressionError(`index ${index} beyond the ${this.#entries.length}-entry dynamic table`);
    return entry;
  }

  /** §4.4: evict from the oldest end until the new entry fits; an entry larger than the table empties it. */
  #insert(entry: Entry): void {
    const size = entrySize(entry);
    this.#evict(size);
    if (size > this.#maxSize) return;
    this.#entries.unshift(entry);
    this.#size += size;
  }

  /** Evicts until `room` more octets fit (or the table is empty). */
  #evict(room: number): void {
    while (this.#size + room > this.#maxSize && this.#entries.length > 0) {
      this.#size -= entrySize(this.#entries.pop() as Entry);
    }
  }
}
