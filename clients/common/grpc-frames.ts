/**
 * gRPC's length-prefixed messages on an HTTP/2 stream (grpc/doc/PROTOCOL-HTTP2.md, "Length-Prefixed-Message"): a
 * compressed flag byte, a 4-byte big-endian length, the message. A DATA chunk may end inside a message or its prefix,
 * or hold several messages; the reader hands on each whole message as a view into the bytes received, without copying
 * when a chunk holds whole messages (the usual case for small ones). Shared by the lean client (node:http2 chunks) and
 * the wire client's Bidi calls (DATA payloads).
 */

import { PayloadDecodeError } from "../../proto/codec.ts";
import { MAX_GRPC_MESSAGE_BYTES } from "../../proto/grpc-service.ts";

export const FRAME_HEADER_BYTES = 5;

/** A message this client cannot read; a `PayloadDecodeError`, so clients/common/error-kind.ts counts it as "protocol". */
export class GrpcFrameError extends PayloadDecodeError {}

/** `message` behind its 5-byte prefix, uncompressed, in one buffer (so it leaves as one DATA frame). */
export function frameMessage(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, FRAME_HEADER_BYTES);
  return out;
}

export interface FrameSink {
  /** One whole message; a view into received bytes, valid as long as the caller keeps it. */
  message(message: Buffer): void;
}

/** The length of the message whose prefix starts at `offset`; throws on what this client never negotiates. */
function messageLength(buf: Buffer, offset: number): number {
  const flag = buf[offset];
  if (flag !== 0) throw new GrpcFrameError(`compressed flag ${flag} on a message, but no grpc-encoding was negotiated`);
  const length = buf.readUInt32BE(offset + 1);
  if (length > MAX_GRPC_MESSAGE_BYTES) throw new GrpcFrameError(`message of ${length} bytes, above the ${MAX_GRPC_MESSAGE_BYTES}-byte limit`);
  return length;
}

export class GrpcFrameReader {
  /** Bytes of an unfinished message (prefix included), oldest first. */
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Bytes the unfinished message needs in all: its prefix, then its prefix and body. */
  #need = FRAME_HEADER_BYTES;

  /** Bytes held of a message not yet complete: non-zero when the stream ends means a truncated message. */
  get buffered(): number {
    return this.#buffered;
  }

  /**
   * Feeds one DATA chunk; calls `sink.message` for every message it completes, in order. Throws `GrpcFrameError`
   * on a compressed or oversized message. Partial data is joined once it is enough, so a message split over n
   * chunks is copied once, not n times.
   */
  push(chunk: Buffer, sink: FrameSink): void {
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
    while (buf.length - offset >= FRAME_HEADER_BYTES) {
      const end = offset + FRAME_HEADER_BYTES + messageLength(buf, offset);
      if (end > buf.length) break;
      sink.message(buf.subarray(offset + FRAME_HEADER_BYTES, end));
      offset = end;
    }
    if (offset === buf.length) return;
    const rest = offset === 0 ? buf : buf.subarray(offset);
    this.#chunks.push(rest);
    this.#buffered = rest.length;
    this.#need = rest.length >= FRAME_HEADER_BYTES ? FRAME_HEADER_BYTES + messageLength(rest, 0) : FRAME_HEADER_BYTES;
  }
}
