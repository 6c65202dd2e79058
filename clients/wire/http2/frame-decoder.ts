/**
 * An incremental HTTP/2 frame decoder for the client side of a connection (RFC 9113 §4, §6): bytes in any split →
 * frames, handed to a sink. Whole frames inside one chunk are read in place, and DATA payloads and header blocks are
 * views into the received bytes (no copy); a frame split across chunks is joined once, when it is complete.
 *
 * It checks what §4 and §6 pin for each frame type — sizes, padding, stream 0 or not, SETTINGS values, a header
 * block continued only by CONTINUATION frames on its stream (§6.10) — and throws `Http2ConnectionError` on a
 * violation. Stream states (which stream ids are open) are the session's business. Unknown frame types are ignored
 * (§4.1, §5.5).
 */

import { DEFAULT_MAX_FRAME_SIZE, ErrorCode, Flag, FRAME_HEADER_BYTES, FrameType, Http2ConnectionError, MAX_FRAME_SIZE_LIMIT, MAX_WINDOW_BYTES, Setting } from "./frames.ts";
import type { SettingsEntry } from "./frames.ts";

/** What the decoder hands on, one call per frame (a header block once, when its last fragment arrived). */
export interface FrameSink {
  /** `flowBytes`: the whole payload, padding included, which counts against flow control (§6.9.1). */
  data(streamId: number, data: Buffer, endStream: boolean, flowBytes: number): void;
  headers(streamId: number, block: Buffer, endStream: boolean): void;
  rstStream(streamId: number, code: number): void;
  /** The known parameters of a non-ACK SETTINGS frame, in order; unknown ones are left out (§6.5.2). */
  settings(entries: readonly SettingsEntry[]): void;
  settingsAck(): void;
  ping(opaque: Buffer, ack: boolean): void;
  goaway(lastStreamId: number, code: number, debug: Buffer): void;
  windowUpdate(streamId: number, increment: number): void;
}

/** A header block larger than this is refused (CONTINUATION floods); far above any response this client reads. */
const MAX_HEADER_BLOCK_BYTES = 256 * 1024;

function fail(code: number, message: string): never {
  throw new Http2ConnectionError(code, message);
}

function readUint31(buf: Buffer, offset: number): number {
  return buf.readUInt32BE(offset) & 0x7fffffff;
}

export class FrameDecoder {
  readonly #maxFrameSize: number;
  /** Bytes of an incomplete frame, oldest first, and how many the frame needs in all (header, then header + payload). */
  #chunks: Buffer[] = [];
  #buffered = 0;
  #need = FRAME_HEADER_BYTES;
  /** The open header block: its stream (0: none), its fragments, and its HEADERS frame's END_STREAM. */
  #blockStream = 0;
  #blockParts: Buffer[] = [];
  #blockBytes = 0;
  #blockEndStream = false;
  #stopped = false;

  /** `maxFrameSize`: our SETTINGS_MAX_FRAME_SIZE; a larger frame is a FRAME_SIZE_ERROR (§4.2). */
  constructor(maxFrameSize: number = DEFAULT_MAX_FRAME_SIZE) {
    this.#maxFrameSize = maxFrameSize;
  }

  /** Bytes held of a frame not yet complete. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Hands on nothing more, even from the chunk being read (the session has closed). */
  stop(): void {
    this.#stopped = true;
    this.#chunks = [];
    this.#buffered = 0;
  }

  /** Feeds received bytes; calls `sink` for every frame they complete, in order. Throws `Http2ConnectionError`. */
  push(chunk: Buffer, sink: FrameSink): void {
    if (this.#stopped) return;
    let buf = chunk;
    if (this.#buffered > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      if (this.#buffered < this.#need) return;
      buf = Buffer.concat(this.#chunks, this.#buffered);
      this.#chunks = [];
      this.#buffered = 0;
    }
    let offset = 0;
    while (buf.length - offset >= FRAME_HEADER_BYTES && !this.#stopped) {
      const end = offset + FRAME_HEADER_BYTES + this.#payloadLength(buf, offset);
      if (end > buf.length) break;
      this.#frame(buf, offset, sink);
      offset = end;
    }
    if (offset === buf.length || this.#stopped) return;
    const rest = offset === 0 ? buf : buf.subarray(offset);
    this.#chunks.push(rest);
    this.#buffered = rest.length;
    this.#need = FRAME_HEADER_BYTES + (rest.length >= FRAME_HEADER_BYTES ? this.#payloadLength(rest, 0) : 0);
  }

  #payloadLength(buf: Buffer, offset: number): number {
    const length = ((buf[offset] as number) << 16) | ((buf[offset + 1] as number) << 8) | (buf[offset + 2] as number);
    if (length > this.#maxFrameSize) fail(ErrorCode.FRAME_SIZE_ERROR, `a ${length}-byte frame, above SETTINGS_MAX_FRAME_SIZE ${this.#maxFrameSize}`);
    return length;
  }

  #frame(buf: Buffer, offset: number, sink: FrameSink): void {
    const length = buf.readUIntBE(offset, 3);
    const type = buf[offset + 3] as number;
    const flags = buf[offset + 4] as number;
    const streamId = readUint31(buf, offset + 5);
    const start = offset + FRAME_HEADER_BYTES;
    const end = start + length;
    if (this.#blockStream !== 0 && (type !== FrameType.CONTINUATION || streamId !== this.#blockStream)) {
      fail(ErrorCode.PROTOCOL_ERROR, `frame type ${type} on stream ${streamId} inside the header block of stream ${this.#blockStream} (§6.10)`);
    }
    switch (type) {
      case FrameType.DATA: {
        if (streamId === 0) fail(ErrorCode.PROTOCOL_ERROR, "DATA on stream 0 (§6.1)");
        const dataStart = (flags & Flag.PADDED) !== 0 ? start + 1 : start;
        const dataEnd = end - padLength(buf, start, end, flags, dataStart);
        sink.data(streamId, buf.subarray(dataStart, dataEnd), (flags & Flag.END_STREAM) !== 0, length);
        return;
      }
      case FrameType.HEADERS: {
        if (streamId === 0) fail(ErrorCode.PROTOCOL_ERROR, "HEADERS on stream 0 (§6.2)");
        let blockStart = (flags & Flag.PADDED) !== 0 ? start + 1 : start;
        if ((flags & Flag.PRIORITY) !== 0) blockStart += 5; // §6.2: stream dependency and weight, deprecated (§5.3.2)
        const blockEnd = end - padLength(buf, start, end, flags, blockStart);
        this.#headerFragment(streamId, buf.subarray(blockStart, blockEnd), (flags & Flag.END_STREAM) !== 0, flags, sink);
        return;
      }
      case FrameType.CONTINUATION:
        if (this.#blockStream === 0) fail(ErrorCode.PROTOCOL_ERROR, `CONTINUATION on stream ${streamId} without a header block (§6.10)`);
        this.#headerFragment(streamId, buf.subarray(start, end), this.#blockEndStream, flags, sink);
        return;
      case FrameType.PRIORITY:
        if (streamId === 0) fail(ErrorCode.PROTOCOL_ERROR, "PRIORITY on stream 0 (§6.3)");
        if (length !== 5) fail(ErrorCode.FRAME_SIZE_ERROR, `a ${length}-byte PRIORITY frame (§6.3)`);
        return;
      case FrameType.RST_STREAM:
        if (streamId === 0) fail(ErrorCode.PROTOCOL_ERROR, "RST_STREAM on stream 0 (§6.4)");
        if (length !== 4) fail(ErrorCode.FRAME_SIZE_ERROR, `a ${length}-byte RST_STREAM frame (§6.4)`);
        sink.rstStream(streamId, buf.readUInt32BE(start));
        return;
      case FrameType.SETTINGS:
        this.#settings(buf, start, length, flags, streamId, sink);
        return;
      case FrameType.PUSH_PROMISE:
        // §6.6, §8.4: our SETTINGS disable push, so a PUSH_PROMISE is a protocol violation.
        fail(ErrorCode.PROTOCOL_ERROR, "PUSH_PROMISE, though push is disabled (SETTINGS_ENABLE_PUSH 0)");
      case FrameType.PING:
        if (streamId !== 0) fail(ErrorCode.PROTOCOL_ERROR, `PING on stream ${streamId} (§6.7)`);
        if (length !== 8) fail(ErrorCode.FRAME_SIZE_ERROR, `a ${length}-byte PING frame (§6.7)`);
        sink.ping(buf.subarray(start, end), (flags & Flag.ACK) !== 0);
        return;
      case FrameType.GOAWAY:
        if (streamId !== 0) fail(ErrorCode.PROTOCOL_ERROR, `GOAWAY on stream ${streamId} (§6.8)`);
        if (length < 8) fail(ErrorCode.FRAME_SIZE_ERROR, `a ${length}-byte GOAWAY frame (§6.8)`);
        sink.goaway(readUint31(buf, start), buf.readUInt32BE(start + 4), buf.subarray(start + 8, end));
        return;
      case FrameType.WINDOW_UPDATE: {
        if (length !== 4) fail(ErrorCode.FRAME_SIZE_ERROR, `a ${length}-byte WINDOW_UPDATE frame (§6.9)`);
        const increment = readUint31(buf, start);
        if (increment === 0) fail(ErrorCode.PROTOCOL_ERROR, `WINDOW_UPDATE of 0 on stream ${streamId} (§6.9)`);
        sink.windowUpdate(streamId, increment);
        return;
      }
      default:
        return; // §5.5: unknown frame types are ignored
    }
  }

  #headerFragment(streamId: number, fragment: Buffer, endStream: boolean, flags: number, sink: FrameSink): void {
    const complete = (flags & Flag.END_HEADERS) !== 0;
    if (this.#blockStream === 0 && complete) {
      sink.headers(streamId, fragment, endStream);
      return;
    }
    this.#blockStream = streamId;
    this.#blockEndStream = endStream;
    this.#blockParts.push(fragment);
    this.#blockBytes += fragment.length;
    if (this.#blockBytes > MAX_HEADER_BLOCK_BYTES) fail(ErrorCode.ENHANCE_YOUR_CALM, `a header block above ${MAX_HEADER_BLOCK_BYTES} bytes`);
    if (!complete) return;
    const block = Buffer.concat(this.#blockParts, this.#blockBytes);
    this.#blockStream = 0;
    this.#blockParts = [];
    this.#blockBytes = 0;
    sink.headers(streamId, block, endStream);
  }

  #settings(buf: Buffer, start: number, length: number, flags: number, streamId: number, sink: FrameSink): void {
    if (streamId !== 0) fail(ErrorCode.PROTOCOL_ERROR, `SETTINGS on stream ${streamId} (§6.5)`);
    if ((flags & Flag.ACK) !== 0) {
      if (length !== 0) fail(ErrorCode.FRAME_SIZE_ERROR, `a SETTINGS ACK with a ${length}-byte payload (§6.5)`);
      sink.settingsAck();
      return;
    }
    if (length % 6 !== 0) fail(ErrorCode.FRAME_SIZE_ERROR, `a ${length}-byte SETTINGS frame, not a multiple of 6 (§6.5)`);
    const entries: SettingsEntry[] = [];
    for (let o = start; o < start + length; o += 6) {
      const id = buf.readUInt16BE(o);
      const value = buf.readUInt32BE(o + 2);
      if (checkSetting(id, value)) entries.push([id, value]);
    }
    sink.settings(entries);
  }
}

/** §6.1, §6.2: the padding length, which must leave the payload's other fields (from `contentStart`) intact. */
function padLength(buf: Buffer, start: number, end: number, flags: number, contentStart: number): number {
  if ((flags & Flag.PADDED) === 0) {
    if (contentStart > end) fail(ErrorCode.FRAME_SIZE_ERROR, "a HEADERS frame too short for its priority fields (§6.2)");
    return 0;
  }
  if (start >= end) fail(ErrorCode.FRAME_SIZE_ERROR, "a PADDED frame without room for its pad length (§6.1)");
  const pad = buf[start] as number;
  if (contentStart + pad > end) fail(ErrorCode.PROTOCOL_ERROR, `padding of ${pad} bytes in a ${end - start}-byte payload (§6.1, §6.2)`);
  return pad;
}

/** §6.5.2: the bounds of the defined settings; true for a setting the session uses, false for an unknown one. */
function checkSetting(id: number, value: number): boolean {
  switch (id) {
    case Setting.ENABLE_PUSH:
      // A server MUST NOT send 1, and any value other than 0 or 1 is an error.
      if (value !== 0) fail(ErrorCode.PROTOCOL_ERROR, `SETTINGS_ENABLE_PUSH ${value} from a server (§6.5.2)`);
      return true;
    case Setting.INITIAL_WINDOW_SIZE:
      if (value > MAX_WINDOW_BYTES) fail(ErrorCode.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE ${value} above 2^31-1 (§6.5.2)`);
      return true;
    case Setting.MAX_FRAME_SIZE:
      if (value < 16_384 || value > MAX_FRAME_SIZE_LIMIT) fail(ErrorCode.PROTOCOL_ERROR, `SETTINGS_MAX_FRAME_SIZE ${value} outside 2^14..2^24-1 (§6.5.2)`);
      return true;
    case Setting.HEADER_TABLE_SIZE:
    case Setting.MAX_CONCURRENT_STREAMS:
    case Setting.MAX_HEADER_LIST_SIZE:
      return true;
    default:
      return false;
  }
}
