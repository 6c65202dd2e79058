/**
 * The bytes a session sends in one turn, written in place into an arena and handed on as one chunk on the next tick:
 * requests due in one turn leave in one `write` (one syscall, as few packets as the bytes need), and a request costs
 * no Buffer of its own. A chunk handed on is a view the socket keeps until written, so the arena's bytes are never
 * written twice: writing goes on after it, and a full arena is replaced (unsent bytes move to the new one).
 */

import { FRAME_HEADER_BYTES, Flag, FrameType, writeFrameHeader, writeUint31 } from "./frames.ts";

const ARENA_BYTES = 64 * 1024;

export class FrameWriter {
  /** The arena; read it after `frame`/`reserve`, which may replace it. */
  buf: Buffer = Buffer.allocUnsafe(ARENA_BYTES);
  /** End of the bytes written. */
  offset = 0;
  /** Start of the bytes not handed on yet. */
  #start = 0;
  readonly #sink: (chunk: Buffer) => void;
  #scheduled = false;
  #closed = false;

  /** `sink` gets each turn's bytes as one chunk. */
  constructor(sink: (chunk: Buffer) => void) {
    this.#sink = sink;
  }

  /** Bytes written and not handed on yet. */
  get pending(): number {
    return this.offset - this.#start;
  }

  /** Makes room for `bytes` more at `offset`, and schedules the flush of this turn. */
  reserve(bytes: number): void {
    if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(flushWriter, this);
    }
    if (this.offset + bytes <= this.buf.length) return;
    const unsent = this.offset - this.#start;
    const next = Buffer.allocUnsafe(Math.max(ARENA_BYTES, 2 * (unsent + bytes)));
    this.buf.copy(next, 0, this.#start, this.offset);
    this.buf = next;
    this.#start = 0;
    this.offset = unsent;
  }

  /** Writes a frame header and reserves its `length`-byte payload; returns where the payload goes in `buf`. */
  frame(length: number, type: number, flags: number, streamId: number): number {
    this.reserve(FRAME_HEADER_BYTES + length);
    const payload = writeFrameHeader(this.buf, this.offset, length, type, flags, streamId);
    this.offset = payload + length;
    return payload;
  }

  /** Appends bytes as they are (the preface, a pre-encoded frame). */
  bytes(src: Uint8Array): void {
    this.reserve(src.length);
    this.buf.set(src, this.offset);
    this.offset += src.length;
  }

  /** Hands on what was written, now. */
  flush(): void {
    this.#scheduled = false;
    if (this.offset === this.#start || this.#closed) return;
    const chunk = this.buf.subarray(this.#start, this.offset);
    this.#start = this.offset;
    this.#sink(chunk);
  }

  /** Hands on nothing more (the transport is gone or ending). */
  close(): void {
    this.#closed = true;
  }

  headers(streamId: number, block: Uint8Array, flags: number): void {
    const at = this.frame(block.length, FrameType.HEADERS, flags | Flag.END_HEADERS, streamId);
    this.buf.set(block, at);
  }

  rstStream(streamId: number, code: number): void {
    const at = this.frame(4, FrameType.RST_STREAM, 0, streamId);
    this.buf.writeUInt32BE(code, at);
  }

  windowUpdate(streamId: number, increment: number): void {
    const at = this.frame(4, FrameType.WINDOW_UPDATE, 0, streamId);
    writeUint31(this.buf, at, increment);
  }

  settingsAck(): void {
    this.frame(0, FrameType.SETTINGS, Flag.ACK, 0);
  }

  pingAck(opaque: Uint8Array): void {
    const at = this.frame(8, FrameType.PING, Flag.ACK, 0);
    this.buf.set(opaque, at);
  }

  /** A client accepts no streams from the server, so the last stream id it names is 0 (§6.8). */
  goaway(code: number, debug: string): void {
    const text = Buffer.from(debug.slice(0, 200), "utf8");
    const at = this.frame(8 + text.length, FrameType.GOAWAY, 0, 0);
    writeUint31(this.buf, at, 0);
    this.buf.writeUInt32BE(code, at + 4);
    this.buf.set(text, at + 8);
  }
}

function flushWriter(writer: FrameWriter): void {
  writer.flush();
}
