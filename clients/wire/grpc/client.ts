/**
 * The wire-level gRPC clients: `grpc`, one unary call per request (a stream with HEADERS, one message, and trailers
 * whose `grpc-status` must be 0), and `grpc-stream`, each request one message on the one long-lived Bidi call of its
 * connection (bidi-call.ts); over TLS for `grpc-tls` and `grpc-stream-tls`, as the h2 wire client connects. The library clients' semantics (clients/library/grpc/) over our own frames
 * (clients/wire/http2/session.ts); the header list is the lean client's, what grpc-js's transport requires.
 */

import { armServedBy, assertNever } from "../../../contract/index.ts";
import type { BenchClient, ClientOptions, ExchangeExpectation, RequestFailure, SendCallback } from "../../../contract/index.ts";
import { BIDI_PATH, makeBody, UNARY_PATH } from "../../../proto/codec.ts";
import { checkClientOptions } from "../../common/outstanding.ts";
import type { Tracked } from "../../common/outstanding.ts";
import type { HeaderField, RequestHeaderBlocks } from "../http2/hpack-encoder.ts";
import { UnaryWireClient } from "../http2/unary-client.ts";
import type { UnaryRequest } from "../http2/unary-request.ts";
import { requestHeaders, WireClient } from "../http2/wire-client.ts";
import type { WireSlot } from "../http2/wire-client.ts";
import { BidiCall } from "./bidi-call.ts";
import type { BidiOwner, BidiRequest } from "./bidi-call.ts";
import { grpcExchangeVerdict, grpcUnaryVerdict } from "./verdict.ts";
import { exchangeBody } from "../../common/answer-verdict.ts";

/** `te: trailers` is required by the gRPC HTTP/2 mapping (PROTOCOL-HTTP2.md). */
const GRPC_HEADERS: readonly HeaderField[] = [
  ["content-type", "application/grpc"],
  ["te", "trailers"],
];

class GrpcUnaryWireClient extends UnaryWireClient {
  readonly #expect: ExchangeExpectation | null;

  constructor(opts: ClientOptions, tls: boolean, headers: RequestHeaderBlocks) {
    super(opts, tls, headers, true);
    this.#expect = opts.exchange?.expect ?? null;
  }

  protected override verdict(req: UnaryRequest): RequestFailure | null {
    return this.#expect === null ? grpcUnaryVerdict(req, this.responseBytes) : grpcExchangeVerdict(req, this.#expect);
  }
}

class StreamRequest implements BidiRequest {
  deadlineMs = 0;
  done: SendCallback | null;
  olderOutstanding: Tracked | null = null;
  newerOutstanding: Tracked | null = null;
  readonly seq: number;
  slot: CallSlot | null = null;
  /** The call it was written on; null while it waits in the client's queue. */
  call: BidiCall<StreamRequest> | null = null;

  constructor(seq: number, done: SendCallback) {
    this.seq = seq;
    this.done = done;
  }
}

interface CallSlot extends WireSlot {
  call: BidiCall<StreamRequest> | null;
}

class GrpcStreamWireClient extends WireClient<CallSlot, StreamRequest> implements BidiOwner<StreamRequest> {
  readonly #responseBytes: number;
  readonly #body: Uint8Array;

  readonly #fixed: { readonly message: Buffer; readonly expect: ExchangeExpectation } | null;

  constructor(opts: ClientOptions, tls: boolean) {
    const slots: CallSlot[] = [];
    for (let i = 0; i < opts.connections; i++) slots.push({ session: null, call: null, active: 0 });
    const { exchange } = opts;
    super(opts, slots, tls, requestHeaders(opts, tls, exchange?.path ?? BIDI_PATH, [...GRPC_HEADERS, ...(exchange?.headers ?? [])]));
    this.#responseBytes = opts.responseBytes;
    this.#body = makeBody(opts.requestBytes);
    this.#fixed = exchange === undefined ? null : { message: exchangeBody(exchange), expect: exchange.expect };
  }

  answered(req: StreamRequest, outcome: RequestFailure | null): void {
    this.outstanding.settle(req, outcome);
    if (req.slot !== null) this.slots.release(req.slot, 1);
  }

  protected override newRequest(seq: number, done: SendCallback): StreamRequest {
    return new StreamRequest(seq, done);
  }

  protected override start(slot: CallSlot, req: StreamRequest): void {
    const session = this.sessionOf(slot);
    let call = slot.call;
    if (call === null || call.ended || call.session !== session) {
      call = new BidiCall<StreamRequest>(this, session, this.#responseBytes, this.#fixed);
      slot.call = call;
      session.submit(call);
    }
    req.slot = slot;
    req.call = call;
    call.write(req, this.#body);
  }

  /** A written request stays on its call (its late answer is dropped there) but frees its slot now. */
  protected override expire(req: StreamRequest): void {
    if (req.call !== null && req.slot !== null) this.slots.release(req.slot, 1);
  }
}

export async function createClient(opts: ClientOptions): Promise<BenchClient> {
  checkClientOptions(opts);
  const arm = armServedBy(opts.protocol, "grpc", "clients/wire/grpc");
  if (arm.tls && opts.caPem === undefined) throw new TypeError(`the ${opts.protocol} arm needs opts.caPem`);
  switch (arm.streams) {
    case "multiplexed":
      // A user server's call (contract/exchange.ts) goes to its method, with the entry's metadata after the required fields.
      return new GrpcUnaryWireClient(opts, arm.tls, requestHeaders(opts, arm.tls, opts.exchange?.path ?? UNARY_PATH, [...GRPC_HEADERS, ...(opts.exchange?.headers ?? [])]));
    case "bidi-stream":
      return new GrpcStreamWireClient(opts, arm.tls);
    case "one-at-a-time":
      throw new TypeError(`clients/wire/grpc has no one-at-a-time calls (${opts.protocol})`);
    default:
      return assertNever(arm.streams);
  }
}
