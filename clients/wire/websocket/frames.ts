/**
 * WebSocket framing (RFC 6455 §5) for the wire client: client frames out — always masked (§5.3), with keys from a
 * strong source — and an incremental reader of the server's frames in, which puts fragmented messages back together
 * (§5.4), passes control frames that arrive between fragments (§5.5), and takes any split or coalescing of frames
 * across reads. No extension is negotiated, so the RSV bits must be zero (§5.2).
 */

import { randomFillSync } from "node:crypto";

export const OPCODE_CONTINUATION = 0x0;
export const OPCODE_TEXT = 0x1;
export const OPCODE_BINARY = 0x2;
export const OPCODE_CLOSE = 0x8;
export const OPCODE_PING = 0x9;
export const OPCODE_PONG = 0xa;

/** A control frame's payload is at most 125 bytes (§5.5). */
const MAX_CONTROL_PAYLOAD = 125;

export class FrameError extends Error {
  override readonly name = "FrameError";
  /** The close code to send (§7.4.1): 1002 protocol error, 1009 too big. */
  readonly closeCode: number;

  constructor(message: string, closeCode = 1002) {
    super(message);
    this.closeCode = closeCode;
  }
}

/**
 * Masking keys, drawn from `randomFillSync` a few hundred at a time: §5.3 asks for keys a script cannot predict,
 * and one system call per 256 frames costs less than one per frame.
 */
export class MaskKeys {
  readonly #pool = Buffer.allocUnsafe(1024);
  #next = this.#pool.length;

  /** Writes the next 4-byte key into `into` at `offset`. */
  writeKey(into: Buffer, offset: number): void {
    if (this.#next === this.#pool.length) {
      randomFillSync(this.#pool);
      this.#next = 0;
    }
    this.#pool.copy(into, offset, this.#next, this.#next + 4);
    this.#next += 4;
  }
}

/** Bytes of a frame header for a payload of `length` bytes, mask key included. */
export function clientHeaderBytes(length: number): number {
  return (length < 126 ? 2 : length < 65_536 ? 4 : 10) + 4;
}

/** One masked client frame with FIN set: `opcode` and `payload`, masked with the next key of `keys`. */
export function encodeClientFrame(opcode: number, payload: Uint8Array, keys: MaskKeys): Buffer {
  const length = payload.length;
  const header = clientHeaderBytes(length);
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x80 | opcode;
  let offset: number;
  if (length < 126) {
    frame[1] = 0x80 | length;
    offset = 2;
  } else if (length < 65_536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
    offset = 4;
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
    offset = 10;
  }
  keys.writeKey(frame, offset);
  const key = frame.subarray(offset, offset + 4);
  const start = offset + 4;
  for (let i = 0; i < length; i++) frame[start + i] = (payload[i] as number) ^ (key[i & 3] as number);
  return frame;
}

/** A close frame's payload: the code, then the reason in UTF-8 (§5.5.1). */
export function closePayload(code: number, reason: string): Buffer {
  const text = Buffer.from(reason, "utf8").subarray(0, MAX_CONTROL_PAYLOAD - 2);
  const payload = Buffer.allocUnsafe(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return payload;
}

export interface FrameSink {
  /** A whole data message; `payload` is valid only during the call. */
  onMessage(opcode: typeof OPCODE_TEXT | typeof OPCODE_BINARY, payload: Uint8Array): void;
  onPing(payload: Uint8Array): void;
  onPong(payload: Uint8Array): void;
  /** A close frame: its code (1005 when it carries none, §7.1.5) and reason. */
  onClose(code: number, reason: string): void;
}

/** Reads server frames from whatever pieces the socket delivers. Throws `FrameError` on a frame §5 forbids. */
export class FrameReader {
  readonly #sink: FrameSink;
  readonly #maxMessageBytes: number;
  /** Bytes received and not parsed yet (a partial frame), or null. */
  #held: Buffer | null = null;
  /** The opcode of a message whose fragments are arriving, or null between messages. */
  #fragmentedOpcode: typeof OPCODE_TEXT | typeof OPCODE_BINARY | null = null;
  #fragments: Buffer[] = [];
  #fragmentBytes = 0;
  #closed = false;

  constructor(sink: FrameSink, maxMessageBytes: number) {
    this.#sink = sink;
    this.#maxMessageBytes = maxMessageBytes;
  }

  /** Parses every whole frame in `held + chunk`, keeping the partial rest. `chunk` may be reused after the call. */
  push(chunk: Uint8Array): void {
    if (this.#closed) return;
    let buf: Uint8Array = chunk;
    if (this.#held !== null) {
      buf = Buffer.concat([this.#held, chunk]);
      this.#held = null;
    }
    let offset = 0;
    while (!this.#closed) {
      const used = this.#frame(buf, offset);
      if (used === 0) break;
      offset += used;
    }
    // Copy the partial frame: the caller's read buffer is overwritten by the next read.
    if (offset < buf.length && !this.#closed) this.#held = Buffer.from(buf.subarray(offset));
  }

  /** Parses one frame at `offset`; returns its length, or 0 when it is not all there. */
  #frame(buf: Uint8Array, offset: number): number {
    const available = buf.length - offset;
    if (available < 2) return 0;
    const b0 = buf[offset] as number;
    const b1 = buf[offset + 1] as number;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0) throw new FrameError("a frame with RSV bits set, and no extension was negotiated");
    if ((b1 & 0x80) !== 0) throw new FrameError("a masked frame from the server (RFC 6455 §5.1)");
    let length = b1 & 0x7f;
    let header = 2;
    if (length === 126) {
      if (available < 4) return 0;
      length = ((buf[offset + 2] as number) << 8) | (buf[offset + 3] as number);
      header = 4;
    } else if (length === 127) {
      if (available < 10) return 0;
      const high = Buffer.from(buf.buffer, buf.byteOffset + offset + 2, 8).readUInt32BE(0);
      const low = Buffer.from(buf.buffer, buf.byteOffset + offset + 2, 8).readUInt32BE(4);
      if (high > 0x1fffff) throw new FrameError("a frame longer than 2^53 bytes", 1009);
      length = high * 2 ** 32 + low;
      header = 10;
    }
    const isControl = (opcode & 0x08) !== 0;
    if (isControl && (!fin || length > MAX_CONTROL_PAYLOAD)) throw new FrameError("a fragmented or over-long control frame (RFC 6455 §5.5)");
    if (!isControl && this.#fragmentBytes + length > this.#maxMessageBytes) {
      throw new FrameError(`a message over ${this.#maxMessageBytes} bytes`, 1009);
    }
    if (available < header + length) return 0;
    const payload = buf.subarray(offset + header, offset + header + length);
    this.#dispatch(fin, opcode, payload);
    return header + length;
  }

  #dispatch(fin: boolean, opcode: number, payload: Uint8Array): void {
    switch (opcode) {
      case OPCODE_TEXT:
      case OPCODE_BINARY:
        if (this.#fragmentedOpcode !== null) throw new FrameError("a new message began before the fragmented one ended (RFC 6455 §5.4)");
        if (fin) {
          this.#sink.onMessage(opcode, payload);
        } else {
          this.#fragmentedOpcode = opcode;
          this.#fragments.push(Buffer.from(payload));
          this.#fragmentBytes = payload.length;
        }
        return;
      case OPCODE_CONTINUATION: {
        const first = this.#fragmentedOpcode;
        if (first === null) throw new FrameError("a continuation frame with no message to continue (RFC 6455 §5.4)");
        this.#fragments.push(Buffer.from(payload));
        this.#fragmentBytes += payload.length;
        if (!fin) return;
        const whole = Buffer.concat(this.#fragments, this.#fragmentBytes);
        this.#fragmentedOpcode = null;
        this.#fragments = [];
        this.#fragmentBytes = 0;
        this.#sink.onMessage(first, whole);
        return;
      }
      case OPCODE_PING:
        this.#sink.onPing(payload);
        return;
      case OPCODE_PONG:
        this.#sink.onPong(payload);
        return;
      case OPCODE_CLOSE: {
        if (payload.length === 1) throw new FrameError("a close frame with a one-byte payload (RFC 6455 §5.5.1)");
        this.#closed = true;
        const code = payload.length >= 2 ? ((payload[0] as number) << 8) | (payload[1] as number) : 1005;
        this.#sink.onClose(code, Buffer.from(payload.subarray(2)).toString("utf8"));
        return;
      }
      default:
        throw new FrameError(`a frame with the reserved opcode 0x${opcode.toString(16)}`);
    }
  }
}
