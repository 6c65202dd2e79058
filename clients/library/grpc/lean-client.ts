/**
 * A lean gRPC client for the `grpc` and `grpc-stream` arms (`--grpc-client lean`): node:http2 core sessions speaking
 * the gRPC wire format (grpc/doc/PROTOCOL-HTTP2.md) to the same, unmodified grpc-js server, with the hot-path codec
 * of proto/codec.ts instead of protobufjs.
 *
 * grpc-js spends ~200–250 µs of generator CPU per call (channel, resolver, load balancer, retry and filter stacks,
 * metadata objects), which saturates the generator near 2–5k calls/s; this client spends a little more than the h2c
 * client (the trailers are one more HEADERS frame per call): measured 1.15–1.2× h2c at 2000 req/s and ~62 µs per
 * call at 10k req/s on a busy 2-vCPU machine, so the generator can offer gRPC load the server can take. It sends fewer request headers than grpc-js (no
 * user-agent, grpc-accept-encoding or accept-encoding), so its bytes per request are a little lower: grpc-js stays
 * the default and the headline arm.
 *
 * Connection semantics are the grpc-js client's: one session (TCP connection) per `connections`, at most `streams`
 * requests in flight on each, the rest in the shared FIFO — the skeleton it shares with the h2c/h2 client
 * (clients/library/http2/session-client.ts). `grpc` sends one POST per request to /wirecost.Bench/Unary;
 * `grpc-stream` keeps one POST /wirecost.Bench/Bidi per connection open and matches answers by seq (bidi-lane.ts).
 * A call is OK only with `grpc-status: 0`.
 */

import http2 from "node:http2";
import type { ClientHttp2Stream, IncomingHttpHeaders } from "node:http2";
import { failure, failureFromError } from "../../common/error-kind.ts";
import { armServedBy, assertNever, TLS_SERVER_NAME } from "../../../contract/index.ts";
import { clientSecureContext } from "../../common/tls-context.ts";
import type { BenchClient, ClientOptions, SendCallback } from "../../../contract/index.ts";
import { BIDI_PATH, encodePayload, makeBody, UNARY_PATH } from "../../../proto/codec.ts";
import { checkClientOptions, urlHost } from "../../common/outstanding.ts";
import type { Tracked } from "../../common/outstanding.ts";
import { SessionClient } from "../http2/session-client.ts";
import type { SessionSlot } from "../http2/session-client.ts";
import { BidiLane } from "./bidi-lane.ts";
import { frameMessage, GrpcFrameReader } from "../../common/grpc-frames.ts";
import { GRPC_CONTENT_TYPE, LeanBidiCall, readStatus, unaryVerdict } from "./lean-call.ts";

/** What grpc-js sends too (transport.js `createCall`); `te: trailers` is required by the gRPC HTTP/2 mapping. */
const UNARY_HEADERS = { ":method": "POST", ":path": UNARY_PATH, "content-type": GRPC_CONTENT_TYPE, te: "trailers" };
const BIDI_HEADERS = { ":method": "POST", ":path": BIDI_PATH, "content-type": GRPC_CONTENT_TYPE, te: "trailers" };
/** Session memory: the same limit as servers/grpc/server.ts. */
const SESSION_OPTIONS = { maxSessionMemory: 256, settings: { enablePush: false } };
const kRequest = Symbol("wirecost.leanRequest");

interface Connection extends SessionSlot {
  /** grpc-stream: the open Bidi call, if any. */
  lane: BidiLane<LeanRequest> | null;
}

export class LeanRequest implements Tracked {
  deadlineMs = 0;
  done: SendCallback | null;
  olderOutstanding: Tracked | null = null;
  newerOutstanding: Tracked | null = null;
  readonly seq: number;
  readonly client: LeanGrpcClient;
  /** grpc: the unary call's stream; grpc-stream: the lane carrying it. */
  stream: ClientHttp2Stream | null = null;
  lane: BidiLane<LeanRequest> | null = null;
  slot: Connection | null = null;
  httpStatus = 0;
  /** `grpc-status` / `grpc-message` from the trailers, or from the headers of a Trailers-Only answer. */
  grpcStatus: string | undefined = undefined;
  grpcMessage: string | undefined = undefined;
  /** The first answer message, and how many came after it (a unary call has exactly one). */
  answer: Buffer | null = null;
  extraMessages = 0;
  /** Made only when a chunk is not exactly one whole message. */
  reader: GrpcFrameReader | null = null;

  constructor(client: LeanGrpcClient, seq: number, done: SendCallback) {
    this.client = client;
    this.seq = seq;
    this.done = done;
  }

  /** FrameSink */
  message(message: Buffer): void {
    if (this.answer === null) this.answer = message;
    else this.extraMessages++;
  }
}

type TaggedStream = ClientHttp2Stream & { [kRequest]: LeanRequest };

function requestOf(stream: ClientHttp2Stream): LeanRequest {
  return (stream as TaggedStream)[kRequest];
}

function onResponse(this: ClientHttp2Stream, headers: IncomingHttpHeaders): void {
  const req = requestOf(this);
  req.httpStatus = Number(headers[":status"]);
  // Trailers-Only: an answer without messages carries its status in the one HEADERS frame.
  if (headers["grpc-status"] !== undefined) readStatus(req, headers);
}

function onTrailers(this: ClientHttp2Stream, trailers: IncomingHttpHeaders): void {
  readStatus(requestOf(this), trailers);
}

function onData(this: ClientHttp2Stream, chunk: Buffer): void {
  const req = requestOf(this);
  if (req.done === null) return;
  // The usual case: one chunk holding exactly one uncompressed message. Anything else goes through the reader.
  if (req.reader === null && req.answer === null && chunk.length >= 5 && chunk[0] === 0 && chunk.readUInt32BE(1) === chunk.length - 5) {
    req.answer = chunk.subarray(5);
    return;
  }
  try {
    (req.reader ??= new GrpcFrameReader()).push(chunk, req);
  } catch (err) {
    req.client.outstanding.settle(req, failureFromError(err));
    this.close(http2.constants.NGHTTP2_CANCEL);
  }
}

function onEnd(this: ClientHttp2Stream): void {
  const req = requestOf(this);
  if (req.done !== null) req.client.outstanding.settle(req, unaryVerdict(req, req.client.responseBytes));
}

function onError(this: ClientHttp2Stream, err: Error): void {
  const req = requestOf(this);
  if (req.done !== null) req.client.outstanding.settle(req, failureFromError(err));
}

function onClose(this: ClientHttp2Stream): void {
  const req = requestOf(this);
  if (req.done !== null) req.client.outstanding.settle(req, failure("reset", `stream closed with code ${this.rstCode}`));
  // As in clients/library/http2/client.ts: node keeps closed streams reachable until a full GC; let the answer go now.
  req.answer = null;
  req.reader = null;
  if (req.slot !== null) req.client.slots.release(req.slot, 1);
}

export class LeanGrpcClient extends SessionClient<Connection, LeanRequest> {
  readonly responseBytes: number;
  readonly #streaming: boolean;
  readonly #body: Uint8Array;

  constructor(opts: ClientOptions, streaming: boolean, tls: boolean) {
    const connections: Connection[] = [];
    for (let i = 0; i < opts.connections; i++) connections.push({ session: null, active: 0, lane: null });
    // The TLS arms as the h2 client connects (clients/library/http2/client.ts): the per-run CA, localhost, ALPN h2.
    super(opts, connections, `${tls ? "https" : "http"}://${urlHost(opts.host)}:${opts.port}`, {
      ...SESSION_OPTIONS,
      ...(tls ? { secureContext: clientSecureContext(opts.caPem ?? "", opts.tlsParameters), servername: TLS_SERVER_NAME, ALPNProtocols: ["h2"] } : {}),
    });
    this.#streaming = streaming;
    this.#body = makeBody(opts.requestBytes);
    this.responseBytes = opts.responseBytes;
  }

  protected override newRequest(seq: number, done: SendCallback): LeanRequest {
    return new LeanRequest(this, seq, done);
  }

  /** A unary call's stream is cancelled; a request on a lane is failed there, its late answer dropped. */
  protected override expire(req: LeanRequest): void {
    if (req.lane !== null) req.lane.expire(req);
    else super.expire(req);
  }

  protected override closeSlot(slot: Connection): void {
    slot.lane?.close();
  }

  protected override start(slot: Connection, req: LeanRequest): void {
    try {
      if (this.#streaming) this.#startOnLane(slot, req);
      else this.#startUnary(slot, req);
    } catch (err) {
      this.outstanding.settle(req, failureFromError(err));
      this.slots.release(slot, 1);
    }
  }

  #startUnary(slot: Connection, req: LeanRequest): void {
    const stream = this.openStream(slot, UNARY_HEADERS);
    (stream as TaggedStream)[kRequest] = req;
    req.stream = stream;
    req.slot = slot;
    stream.on("response", onResponse);
    stream.on("trailers", onTrailers);
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", onError);
    stream.on("close", onClose);
    stream.end(frameMessage(encodePayload(req.seq, this.#body)));
  }

  #startOnLane(slot: Connection, req: LeanRequest): void {
    let lane = slot.lane;
    if (lane === null || lane.ended) {
      const call = new LeanBidiCall(this.openStream(slot, BIDI_HEADERS));
      const { outstanding } = this;
      lane = new BidiLane<LeanRequest>(
        call,
        this.responseBytes,
        (r, outcome) => outstanding.settle(r, outcome),
        (count) => this.slots.release(slot, count),
      );
      call.attach(lane);
      slot.lane = lane;
    }
    req.lane = lane;
    lane.write(req, { seq: req.seq, body: this.#body });
  }
}

export async function createLeanClient(opts: ClientOptions): Promise<BenchClient> {
  checkClientOptions(opts);
  const arm = armServedBy(opts.protocol, "grpc", "clients/library/grpc/lean-client");
  if (arm.tls && opts.caPem === undefined) throw new TypeError(`the ${opts.protocol} arm needs opts.caPem`);
  switch (arm.streams) {
    case "multiplexed":
      return new LeanGrpcClient(opts, false, arm.tls);
    case "bidi-stream":
      return new LeanGrpcClient(opts, true, arm.tls);
    case "one-at-a-time":
      throw new TypeError(`clients/library/grpc/lean-client has no one-at-a-time calls (${opts.protocol})`);
    default:
      return assertNever(arm.streams);
  }
}
