/**
 * One long-lived `Bidi` call of the `grpc-stream` arm on the wire: one HTTP/2 stream per connection, each request one
 * Length-Prefixed-Message on it, each answer one message back. The grpc-js server answers a call's messages in the
 * order it reads them, so requests wait in a FIFO and an answer settles the oldest: its own when the seq matches, a
 * mismatch otherwise (as clients/library/grpc/bidi-lane.ts counts an answer nobody asked for). A request that timed
 * out stays in the FIFO, already settled, until its late answer (dropped) or a later one passes it.
 *
 * gRPC has no per-message status: the call's end — trailers, a reset, a lost connection — fails everything pending,
 * and the client opens a new call for the next request. A user server's call (contract/exchange.ts) sends the same
 * message each time and pairs answers by order alone, judging each by its size.
 */

import type { ExchangeExpectation, RequestFailure } from "../../../contract/index.ts";
import { decodePayload } from "../../../proto/codec.ts";
import type { Payload } from "../../../proto/codec.ts";
import { answerVerdict, exchangeSizeVerdict, statusFailure } from "../../common/answer-verdict.ts";
import { failure, failureFromError } from "../../common/error-kind.ts";
import { GrpcFrameReader } from "../../common/grpc-frames.ts";
import type { FrameSink } from "../../common/grpc-frames.ts";
import { Fifo } from "../../common/outstanding.ts";
import type { Tracked } from "../../common/outstanding.ts";
import { GRPC_PREFIX_BYTES, payloadBytes, writeGrpcPrefix, writePayload } from "../http2/payload-writer.ts";
import type { Http2Session } from "../http2/session.ts";
import { Http2Stream } from "../http2/stream.ts";
import type { ResponseHead } from "../http2/stream.ts";

export interface BidiRequest extends Tracked {
  readonly seq: number;
}

export interface BidiOwner<R extends BidiRequest> {
  /** `req` (not settled yet) is done: answered (`outcome` null when right) or failed with the call. */
  answered(req: R, outcome: RequestFailure | null): void;
}

const PENDING_AT_END = failure("reset", "Bidi call ended with requests pending");

export class BidiCall<R extends BidiRequest> extends Http2Stream implements FrameSink {
  readonly session: Http2Session;
  ended = false;
  httpStatus = 0;
  grpcStatus: string | undefined = undefined;
  grpcMessage: string | undefined = undefined;
  #headerBlocks = 0;
  readonly #owner: BidiOwner<R>;
  readonly #responseBytes: number;
  readonly #pending = new Fifo<R>();
  readonly #reader = new GrpcFrameReader();
  /** A user server's call (contract/exchange.ts): the same message each time, answers judged by size; else null. */
  readonly #fixed: { readonly message: Buffer; readonly expect: ExchangeExpectation } | null;

  constructor(owner: BidiOwner<R>, session: Http2Session, responseBytes: number, fixed: { readonly message: Buffer; readonly expect: ExchangeExpectation } | null = null) {
    super();
    this.#owner = owner;
    this.session = session;
    this.#responseBytes = responseBytes;
    this.#fixed = fixed;
  }

  /** Sends `req` as one message on the call; its answer, or the call's end, settles it. */
  write(req: R, body: Uint8Array): void {
    if (this.ended) {
      this.#owner.answered(req, PENDING_AT_END);
      return;
    }
    this.#pending.push(req);
    if (this.#fixed !== null) {
      const fixed = this.#fixed.message;
      const at = this.session.send.dataSpace(this, GRPC_PREFIX_BYTES + fixed.length, false);
      if (at >= 0) fixed.copy(this.session.out.buf, writeGrpcPrefix(this.session.out.buf, at, fixed.length));
      else {
        const framed = Buffer.allocUnsafe(GRPC_PREFIX_BYTES + fixed.length);
        fixed.copy(framed, writeGrpcPrefix(framed, 0, fixed.length));
        this.session.send.queue(this, framed, false);
      }
      return;
    }
    const message = payloadBytes(req.seq, body.length);
    const length = GRPC_PREFIX_BYTES + message;
    const at = this.session.send.dataSpace(this, length, false);
    if (at >= 0) writePayload(this.session.out.buf, writeGrpcPrefix(this.session.out.buf, at, message), req.seq, body);
    else {
      const framed = Buffer.allocUnsafe(length);
      writePayload(framed, writeGrpcPrefix(framed, 0, message), req.seq, body);
      this.session.send.queue(this, framed, false);
    }
  }

  override onHeaders(head: ResponseHead, endStream: boolean): void {
    if (this.#headerBlocks++ === 0) this.httpStatus = head.status;
    if (head.grpcStatus !== undefined) {
      this.grpcStatus = head.grpcStatus;
      this.grpcMessage = head.grpcMessage;
    }
    if (endStream) this.#end(this.#endOutcome());
    else if (this.#headerBlocks > 1) this.#fail(failure("protocol", "a trailer block without END_STREAM"));
  }

  override onData(data: Buffer, endStream: boolean): void {
    try {
      this.#reader.push(data, this);
    } catch (err) {
      this.#fail(failureFromError(err));
      return;
    }
    if (endStream) this.#end(this.#endOutcome());
  }

  override onAbort(why: RequestFailure): void {
    this.#end(why);
  }

  /** FrameSink: one answer message. */
  message(bytes: Buffer): void {
    if (this.#fixed !== null) {
      // No sequence number to pair by: the oldest request takes the answer, and a timed-out one's is dropped.
      const req = this.#pending.shift();
      if (req !== undefined && req.done !== null) this.#owner.answered(req, exchangeSizeVerdict(this.#fixed.expect, bytes.length, "message"));
      return;
    }
    let answer: Payload;
    try {
      answer = decodePayload(bytes);
    } catch (err) {
      this.#fail(failure("protocol", `undecodable answer: ${(err as Error).message}`));
      return;
    }
    for (let req = this.#pending.shift(); req !== undefined; req = this.#pending.shift()) {
      if (req.seq === answer.seq) {
        if (req.done !== null) this.#owner.answered(req, answerVerdict(req.seq, answer, this.#responseBytes));
        return; // a timed-out request's late answer is dropped
      }
      if (req.done === null) continue; // timed out, and its answer never came
      this.#owner.answered(req, answerVerdict(req.seq, answer, this.#responseBytes));
      return;
    }
  }

  /** Why requests still pending when the call ended fail. */
  #endOutcome(): RequestFailure {
    if (this.httpStatus !== 0 && this.httpStatus !== 200) return failure("status", `HTTP status ${this.httpStatus}`);
    if (this.#reader.buffered > 0) return failure("protocol", `the Bidi stream ended inside a message (${this.#reader.buffered} bytes of it)`);
    return statusFailure(this.grpcStatus, this.grpcMessage) ?? PENDING_AT_END;
  }

  /** The call is broken: fail what is pending and stop it on the wire. */
  #fail(outcome: RequestFailure): void {
    this.#end(outcome);
    if (this.streamState === "open") this.session.cancel(this);
  }

  #end(outcome: RequestFailure): void {
    if (this.ended) return;
    this.ended = true;
    for (let req = this.#pending.shift(); req !== undefined; req = this.#pending.shift()) {
      if (req.done !== null) this.#owner.answered(req, outcome);
    }
  }
}
