/**
 * The lean client's reading of a gRPC answer (grpc/doc/PROTOCOL-HTTP2.md): HTTP status 200, the messages, then
 * `grpc-status` in the trailers (or, for an answer without messages, in the one HEADERS frame: "Trailers-Only").
 * A call is OK only with `grpc-status: 0`; a missing status is a protocol error, not a success. Pure verdicts here,
 * so they are tested on exact values; lean-client.ts does the I/O.
 */

import type { ClientHttp2Stream, IncomingHttpHeaders } from "node:http2";
import http2 from "node:http2";
import { failure, failureFromError } from "../../common/error-kind.ts";
import type { RequestFailure } from "../../../contract/index.ts";
import { decodePayload, encodePayload } from "../../../proto/codec.ts";
import type { Payload } from "../../../proto/codec.ts";
import type { PayloadMessage } from "../../../proto/grpc-service.ts";
import { answerVerdict, statusFailure } from "../../common/answer-verdict.ts";
import type { BidiLane, LaneCall, LaneRequest } from "./bidi-lane.ts";
import { frameMessage, GrpcFrameReader } from "../../common/grpc-frames.ts";
import type { FrameSink } from "../../common/grpc-frames.ts";

export const GRPC_CONTENT_TYPE = "application/grpc";

/** Where a call's status is kept as it arrives. */
export interface StatusHolder {
  grpcStatus: string | undefined;
  grpcMessage: string | undefined;
}

/** Copies `grpc-status` and `grpc-message` from trailers (or Trailers-Only headers) into `into`. */
export function readStatus(into: StatusHolder, headers: IncomingHttpHeaders): void {
  const status = headers["grpc-status"];
  const message = headers["grpc-message"];
  into.grpcStatus = typeof status === "string" ? status : undefined;
  into.grpcMessage = typeof message === "string" ? message : undefined;
}

/** What the lean client collected from one unary call's stream by its end. */
export interface UnaryAnswer extends StatusHolder {
  readonly seq: number;
  readonly httpStatus: number;
  /** The first message, and how many came after it. */
  readonly answer: Uint8Array | null;
  readonly extraMessages: number;
  /** The frame reader, if one was needed: bytes left in it mean the stream ended inside a message. */
  readonly reader: { readonly buffered: number } | null;
}

export function unaryVerdict(a: UnaryAnswer, responseBytes: number): RequestFailure | null {
  if (a.httpStatus !== 200) return failure("status", `HTTP status ${a.httpStatus}`);
  const status = statusFailure(a.grpcStatus, a.grpcMessage);
  if (status !== null) return status;
  if (a.reader !== null && a.reader.buffered > 0) return failure("protocol", `the answer ended inside a message (${a.reader.buffered} bytes of it)`);
  if (a.answer === null) return failure("protocol", "OK status without an answer");
  if (a.extraMessages > 0) return failure("protocol", `${1 + a.extraMessages} messages on a unary call`);
  let payload: Payload;
  try {
    payload = decodePayload(a.answer);
  } catch (err) {
    return failure("protocol", `undecodable answer: ${(err as Error).message}`);
  }
  return answerVerdict(a.seq, payload, responseBytes);
}

/**
 * A `Bidi` call on one http2 stream, for `BidiLane`: requests out as framed messages, answers in through the frame
 * reader. The server ending the stream (any status; an OK one with requests pending is a reset) ends the lane.
 */
export class LeanBidiCall implements LaneCall, FrameSink, StatusHolder {
  httpStatus = 0;
  grpcStatus: string | undefined = undefined;
  grpcMessage: string | undefined = undefined;
  readonly #stream: ClientHttp2Stream;
  readonly #reader = new GrpcFrameReader();
  #lane: Pick<BidiLane<LaneRequest>, "answer" | "end"> | null = null;

  constructor(stream: ClientHttp2Stream) {
    this.#stream = stream;
  }

  /** Wires the stream's events to `lane`; call once, right after making the lane over this call. */
  attach<R extends LaneRequest>(lane: BidiLane<R>): void {
    this.#lane = lane;
    const stream = this.#stream;
    stream.on("response", (headers: IncomingHttpHeaders) => {
      this.httpStatus = Number(headers[":status"]);
      if (headers["grpc-status"] !== undefined) readStatus(this, headers);
    });
    stream.on("trailers", (trailers: IncomingHttpHeaders) => readStatus(this, trailers));
    stream.on("data", (chunk: Buffer) => {
      try {
        this.#reader.push(chunk, this);
      } catch (err) {
        this.#fail(failureFromError(err));
      }
    });
    stream.on("end", () => {
      lane.end(this.endOutcome());
      this.end(); // our half too, so the stream closes
    });
    stream.on("error", (err: Error) => lane.end(failureFromError(err)));
    stream.on("close", () => lane.end(this.endOutcome()));
  }

  write(message: PayloadMessage): void {
    this.#stream.write(frameMessage(encodePayload(message.seq, message.body)));
  }

  cancel(): void {
    if (!this.#stream.closed) this.#stream.close(http2.constants.NGHTTP2_CANCEL);
  }

  end(): void {
    if (!this.#stream.closed && !this.#stream.writableEnded) this.#stream.end();
  }

  /** FrameSink: one answer message. */
  message(message: Buffer): void {
    let payload: Payload;
    try {
      payload = decodePayload(message);
    } catch (err) {
      this.#fail(failure("protocol", `undecodable answer: ${(err as Error).message}`));
      return;
    }
    this.#lane?.answer(payload);
  }

  /** Why requests still pending when the stream ended fail. */
  endOutcome(): RequestFailure {
    if (this.httpStatus !== 0 && this.httpStatus !== 200) return failure("status", `HTTP status ${this.httpStatus}`);
    if (this.grpcStatus === undefined && this.#stream.rstCode !== undefined && this.#stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) {
      return failure("reset", `Bidi stream closed with code ${this.#stream.rstCode}`);
    }
    if (this.#reader.buffered > 0) return failure("protocol", `the Bidi stream ended inside a message (${this.#reader.buffered} bytes of it)`);
    return statusFailure(this.grpcStatus, this.grpcMessage) ?? failure("reset", "Bidi call ended with requests pending");
  }

  #fail(outcome: RequestFailure): void {
    this.#lane?.end(outcome);
    this.cancel();
  }
}
