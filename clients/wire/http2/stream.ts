/**
 * What a session keeps per stream, as a base class the client's own per-request (or per-call) object extends, so a
 * request is one object: its request bookkeeping and its stream's state together. The session sets the fields; the
 * subclass answers the three events.
 */

import type { RequestFailure } from "../../../contract/index.ts";
import type { HeaderSink, HpackDecoder } from "./hpack-decoder.ts";

/** The fields of a response header block a client reads (one reused object: read it during the call only). */
export interface ResponseHead {
  /** `:status`, 0 when the block had none (a trailer block has none). */
  status: number;
  grpcStatus: string | undefined;
  grpcMessage: string | undefined;
}

/** Reads a header block into one reused `ResponseHead`, keeping only the fields a client looks at. */
export class ResponseHeadReader implements HeaderSink {
  readonly #head: ResponseHead = { status: 0, grpcStatus: undefined, grpcMessage: undefined };

  /** Decodes `block` (every block must be, for the HPACK table: RFC 9113 §4.3); valid until the next call. */
  read(hpack: HpackDecoder, block: Buffer): ResponseHead {
    const head = this.#head;
    head.status = 0;
    head.grpcStatus = undefined;
    head.grpcMessage = undefined;
    hpack.decode(block, this);
    return head;
  }

  field(name: string, value: string): void {
    switch (name) {
      case ":status":
        this.#head.status = Number(value);
        break;
      case "grpc-status":
        this.#head.grpcStatus = value;
        break;
      case "grpc-message":
        this.#head.grpcMessage = value;
        break;
      default:
        break;
    }
  }
}

/**
 * `idle`: not given to a session yet. `queued`: waiting for the server's SETTINGS or for a stream slot under its
 * SETTINGS_MAX_CONCURRENT_STREAMS. `open`: HEADERS sent (RFC 9113 §5.1: open or half-closed). `closed`: ended,
 * reset, or cancelled; the session holds it no more.
 */
export type StreamState = "idle" | "queued" | "open" | "closed";

export abstract class Http2Stream {
  streamId = 0;
  streamState: StreamState = "idle";
  /** We sent END_STREAM (half-closed local, §5.1). */
  localEnded = false;
  /** Flow-control windows (§6.9): what we may still send, and what the server may still send us. */
  sendWindow = 0;
  receiveWindow = 0;
  /** DATA held back by flow control or while queued, oldest first, and whether END_STREAM follows its last byte. */
  pendingData: Buffer[] | null = null;
  pendingEnd = false;
  /** Listed in the session's streams waiting for window. */
  blocked = false;

  /** A header block arrived: the response's head, or (with `endStream`) its trailers or a headers-only answer. */
  abstract onHeaders(head: ResponseHead, endStream: boolean): void;

  /** DATA arrived: a view valid during this call and as long as the caller keeps it (never overwritten). */
  abstract onData(data: Buffer, endStream: boolean): void;

  /** The stream ended without an answer: reset by the server, refused by GOAWAY, or its connection was lost. */
  abstract onAbort(failure: RequestFailure): void;
}
