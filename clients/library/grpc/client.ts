/**
 * gRPC client (@grpc/grpc-js) for the `grpc` (one unary call per request) and `grpc-stream` (each request one
 * message on ONE long-lived Bidi call per connection, answers matched by seq) arms.
 *
 * One grpc-js Client, hence one Channel and one TCP connection, per `connections`: without
 * `grpc.use_local_subchannel_pool` identical channels share a subchannel and so a connection. Each channel carries
 * at most `streams` requests at once; more wait in one client-side FIFO (clients/common/slot-queue.ts, shared with
 * clients/library/http2/client.ts and clients/library/grpc/lean-client.ts).
 *
 * Timeouts come from the shared sweep (clients/common/outstanding.ts), which cancels the call, rather than from a gRPC
 * deadline: a deadline costs a `grpc-timeout` header on the wire, which the HTTP arms do not carry, and a timer per
 * call inside grpc-js.
 */

import * as grpc from "@grpc/grpc-js";
import { failure, failureFromError } from "../../common/error-kind.ts";
import { armServedBy, assertNever, TLS_SERVER_NAME } from "../../../contract/index.ts";
import { clientSecureContext } from "../../common/tls-context.ts";
import type { BenchClient, ClientOptions, RequestFailure, SendCallback } from "../../../contract/index.ts";
import { makeBody } from "../../../proto/codec.ts";
import { grpcAddress, loadBenchService, MAX_GRPC_MESSAGE_BYTES } from "../../../proto/grpc-service.ts";
import type { BenchClient as GrpcStub, PayloadMessage } from "../../../proto/grpc-service.ts";
import { checkClientOptions, CLOSED_FAILURE, Outstanding, warmUpAll } from "../../common/outstanding.ts";
import type { Tracked } from "../../common/outstanding.ts";
import { SlotQueue } from "../../common/slot-queue.ts";
import { answerVerdict } from "../../common/answer-verdict.ts";
import { BidiLane, openGrpcJsLane } from "./bidi-lane.ts";
import { releaseClosedGrpcStreams } from "./release-closed-streams.ts";

const CALL_OPTIONS: grpc.CallOptions = {};

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  "grpc.use_local_subchannel_pool": 1,
  "grpc.enable_retries": 0,
  "grpc.max_receive_message_length": MAX_GRPC_MESSAGE_BYTES,
  "grpc.max_send_message_length": MAX_GRPC_MESSAGE_BYTES,
  // channelz keeps per-call counters and traces: CPU the HTTP arms do not spend.
  "grpc.enable_channelz": 0,
};

class GrpcRequest implements Tracked {
  deadlineMs = 0;
  done: SendCallback | null;
  olderOutstanding: Tracked | null = null;
  newerOutstanding: Tracked | null = null;
  readonly seq: number;
  /** The unary call, once started. */
  call: grpc.ClientUnaryCall | null = null;
  /** The Bidi lane carrying it, once written. */
  lane: BidiLane<GrpcRequest> | null = null;

  constructor(seq: number, done: SendCallback) {
    this.seq = seq;
    this.done = done;
  }
}

/** One channel: its stub, the requests it carries now, and (grpc-stream) its Bidi call. */
interface Channel {
  readonly stub: GrpcStub;
  active: number;
  lane: BidiLane<GrpcRequest> | null;
}

function unaryVerdict(
  seq: number,
  err: grpc.ServiceError | null,
  answer: PayloadMessage | undefined,
  responseBytes: number,
): RequestFailure | null {
  if (err !== null) return failureFromError(err);
  if (answer === undefined) return failure("protocol", "OK status without an answer");
  return answerVerdict(seq, answer, responseBytes);
}

class GrpcClient {
  readonly outstanding: Outstanding<GrpcRequest>;
  readonly #opts: ClientOptions;
  readonly #streaming: boolean;
  readonly #body: Uint8Array;
  readonly #channels: Channel[] = [];
  readonly #slots: SlotQueue<Channel, GrpcRequest>;
  #closed = false;

  constructor(opts: ClientOptions, streaming: boolean, tls: boolean) {
    releaseClosedGrpcStreams();
    this.#opts = opts;
    this.#streaming = streaming;
    this.#body = makeBody(opts.requestBytes);
    const { Client } = loadBenchService();
    const target = grpcAddress(opts.host, opts.port);
    // The TLS arms: the per-run certificate, checked against the name every TLS client here asks for (localhost),
    // and the run's version, ciphers and groups, which createSsl does not take: createFromSecureContext takes a context
    // made with them (grpc-js 1.14 channel-credentials.ts; the context's CA is what the server is checked against).
    const secureContext = tls ? clientSecureContext(opts.caPem ?? "", opts.tlsParameters) : null;
    for (let i = 0; i < opts.connections; i++) {
      const credentials = secureContext !== null ? grpc.credentials.createFromSecureContext(secureContext) : grpc.credentials.createInsecure();
      const options = tls ? { ...CHANNEL_OPTIONS, "grpc.ssl_target_name_override": TLS_SERVER_NAME, "grpc.default_authority": TLS_SERVER_NAME } : CHANNEL_OPTIONS;
      this.#channels.push({ stub: new Client(target, credentials, options), active: 0, lane: null });
    }
    this.#slots = new SlotQueue<Channel, GrpcRequest>(this.#channels, opts.streams, (channel, req) => this.#start(channel, req));
    this.outstanding = new Outstanding<GrpcRequest>(opts.requestTimeoutMs, (req) => {
      if (req.call !== null) req.call.cancel(); // the callback then frees the slot
      else if (req.lane !== null) req.lane.expire(req);
    });
  }

  get inFlight(): number {
    return this.outstanding.size;
  }

  send(seq: number, done: SendCallback): void {
    if (this.#closed) {
      done(CLOSED_FAILURE);
      return;
    }
    const req = new GrpcRequest(seq, done);
    this.outstanding.add(req);
    this.#slots.submit(req);
  }

  async warmUp(): Promise<void> {
    const deadline = Date.now() + this.#opts.requestTimeoutMs;
    await Promise.all(
      this.#channels.map(
        (channel) =>
          new Promise<void>((resolve, reject) => {
            channel.stub.waitForReady(deadline, (err) => (err === undefined || err === null ? resolve() : reject(err)));
          }),
      ),
    );
    await warmUpAll(this.#channels.length, (i, done) => {
      const req = new GrpcRequest(i, done);
      this.outstanding.add(req);
      this.#slots.startOn(this.#channels[i] as Channel, req);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#slots.close();
    for (const req of this.outstanding.failAll(CLOSED_FAILURE)) req.call?.cancel();
    this.outstanding.stop();
    for (const channel of this.#channels) {
      channel.lane?.close();
      channel.stub.close();
    }
  }

  #start(channel: Channel, req: GrpcRequest): void {
    const message: PayloadMessage = { seq: req.seq, body: this.#body };
    if (this.#streaming) {
      let lane = channel.lane;
      if (lane === null || lane.ended) {
        const { outstanding } = this;
        lane = openGrpcJsLane<GrpcRequest>(
          channel.stub,
          this.#opts.responseBytes,
          (r, outcome) => outstanding.settle(r, outcome),
          (count) => this.#slots.release(channel, count),
        );
        channel.lane = lane;
      }
      req.lane = lane;
      lane.write(req, message);
      return;
    }
    const { outstanding } = this;
    const responseBytes = this.#opts.responseBytes;
    req.call = channel.stub.Unary(message, CALL_OPTIONS, (err, answer) => {
      if (req.done !== null) outstanding.settle(req, unaryVerdict(req.seq, err, answer, responseBytes));
      this.#slots.release(channel, 1);
    });
  }
}

export async function createClient(opts: ClientOptions): Promise<BenchClient> {
  checkClientOptions(opts);
  const arm = armServedBy(opts.protocol, "grpc", "clients/library/grpc");
  if (arm.tls && opts.caPem === undefined) throw new TypeError(`the ${opts.protocol} arm needs opts.caPem`);
  switch (arm.streams) {
    case "multiplexed":
      return new GrpcClient(opts, false, arm.tls);
    case "bidi-stream":
      return new GrpcClient(opts, true, arm.tls);
    case "one-at-a-time":
      throw new TypeError(`clients/library/grpc has no one-at-a-time calls (${opts.protocol})`);
    default:
      return assertNever(arm.streams);
  }
}
