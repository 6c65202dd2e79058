/**
 * The clients whose every request is one stream — h2c and h2 (client.ts), unary gRPC (clients/wire/grpc/client.ts):
 * HEADERS from the block encoded once, then one DATA frame whose payload is written straight into the connection's
 * batch (payload-writer.ts), behind the gRPC prefix for gRPC — or a user server's fixed body (contract/exchange.ts).
 * A subclass only judges the answer.
 */

import type { ClientOptions, RequestFailure, SendCallback } from "../../../contract/index.ts";
import { makeBody } from "../../../proto/codec.ts";
import { exchangeBody } from "../../common/answer-verdict.ts";
import type { RequestHeaderBlocks } from "./hpack-encoder.ts";
import { GRPC_PREFIX_BYTES, payloadBytes, writeGrpcPrefix, writePayload } from "./payload-writer.ts";
import { UnaryRequest } from "./unary-request.ts";
import type { UnaryOwner } from "./unary-request.ts";
import { WireClient } from "./wire-client.ts";
import type { WireSlot } from "./wire-client.ts";

export abstract class UnaryWireClient extends WireClient<WireSlot, UnaryRequest> implements UnaryOwner {
  readonly responseBytes: number;
  readonly #body: Uint8Array;
  readonly #grpcFramed: boolean;
  /** A user server's request body (contract/exchange.ts), the same for every request; null: the workload's payload. */
  readonly #fixed: Buffer | null;

  /** `grpcFramed`: each request body is one gRPC Length-Prefixed-Message. */
  constructor(opts: ClientOptions, tls: boolean, headers: RequestHeaderBlocks, grpcFramed: boolean) {
    const slots: WireSlot[] = [];
    for (let i = 0; i < opts.connections; i++) slots.push({ session: null, active: 0 });
    super(opts, slots, tls, headers);
    this.responseBytes = opts.responseBytes;
    this.#body = makeBody(opts.requestBytes);
    this.#grpcFramed = grpcFramed;
    this.#fixed = opts.exchange === undefined ? null : exchangeBody(opts.exchange);
  }

  /** The outcome of a stream that ended normally. */
  protected abstract verdict(req: UnaryRequest): RequestFailure | null;

  finish(req: UnaryRequest, failure: RequestFailure | null): void {
    if (req.streamState === "open") req.session?.cancel(req); // failed mid-stream: stop it on the wire
    if (req.done !== null) this.outstanding.settle(req, failure ?? this.verdict(req));
    req.first = null;
    req.rest = null;
    if (req.slot !== null) this.slots.release(req.slot, 1);
  }

  protected override newRequest(seq: number, done: SendCallback): UnaryRequest {
    return new UnaryRequest(this, seq, done);
  }

  protected override start(slot: WireSlot, req: UnaryRequest): void {
    const session = this.sessionOf(slot);
    req.slot = slot;
    req.session = session;
    session.submit(req);
    if (req.streamState === "closed") return; // refused at once; finish has run
    const message = this.#fixed?.length ?? payloadBytes(req.seq, this.#body.length);
    const length = this.#grpcFramed ? GRPC_PREFIX_BYTES + message : message;
    const at = session.send.dataSpace(req, length, true);
    if (at >= 0) this.#writeBody(session.out.buf, at, req.seq, message);
    else {
      const body = Buffer.allocUnsafe(length);
      this.#writeBody(body, 0, req.seq, message);
      session.send.queue(req, body, true);
    }
  }

  protected override expire(req: UnaryRequest): void {
    if (req.slot === null) return; // still in the client's queue, which skips it
    req.session?.cancel(req);
    this.slots.release(req.slot, 1);
  }

  #writeBody(buf: Buffer, offset: number, seq: number, message: number): void {
    const at = this.#grpcFramed ? writeGrpcPrefix(buf, offset, message) : offset;
    if (this.#fixed === null) writePayload(buf, at, seq, this.#body);
    else this.#fixed.copy(buf, at);
  }
}
