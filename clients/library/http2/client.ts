/**
 * HTTP/2 client (node:http2) for the `h2c` (prior knowledge) and `h2` (TLS, ALPN `h2`) arms.
 *
 * `connections` sessions, each with at most `streams` streams open; more requests wait in one client-side FIFO and
 * go out on the least-loaded session as streams close (session-client.ts, shared with the lean gRPC client). Stream
 * listeners are shared functions that find their request through a symbol on the stream, so a request costs one
 * small object rather than five closures.
 */

import type { ClientHttp2Stream, IncomingHttpHeaders } from "node:http2";
import { failure, failureFromError } from "../../common/error-kind.ts";
import { armServedBy, TLS_SERVER_NAME } from "../../../contract/index.ts";
import { clientSecureContext } from "../../common/tls-context.ts";
import type { BenchClient, ClientOptions, RequestFailure, SendCallback } from "../../../contract/index.ts";
import { bodyLooksRight, decodePayload, encodePayload, makeBody, PROTOBUF_CONTENT_TYPE, UNARY_PATH } from "../../../proto/codec.ts";
import { checkClientOptions, urlHost } from "../../common/outstanding.ts";
import type { Tracked } from "../../common/outstanding.ts";
import { SessionClient } from "./session-client.ts";
import type { SessionSlot } from "./session-client.ts";

const EMPTY = Buffer.alloc(0);
const REQUEST_HEADERS = { ":method": "POST", ":path": UNARY_PATH, "content-type": PROTOBUF_CONTENT_TYPE };
/** Same limit as servers/http2/server.ts. */
const MAX_SESSION_MEMORY_MB = 256;
const kRequest = Symbol("wirecost.request");

class Http2Request implements Tracked {
  deadlineMs = 0;
  done: SendCallback | null;
  olderOutstanding: Tracked | null = null;
  newerOutstanding: Tracked | null = null;
  readonly seq: number;
  readonly client: Http2Client;
  stream: ClientHttp2Stream | null = null;
  slot: SessionSlot | null = null;
  status = 0;
  first: Buffer | null = null;
  rest: Buffer[] | null = null;

  constructor(client: Http2Client, seq: number, done: SendCallback) {
    this.client = client;
    this.seq = seq;
    this.done = done;
  }
}

type TaggedStream = ClientHttp2Stream & { [kRequest]: Http2Request };

function requestOf(stream: ClientHttp2Stream): Http2Request {
  return (stream as TaggedStream)[kRequest];
}

function onResponse(this: ClientHttp2Stream, headers: IncomingHttpHeaders): void {
  requestOf(this).status = Number(headers[":status"]);
}

function onData(this: ClientHttp2Stream, chunk: Buffer): void {
  const req = requestOf(this);
  if (req.first === null) req.first = chunk;
  else (req.rest ??= [req.first]).push(chunk);
}

function onEnd(this: ClientHttp2Stream): void {
  const req = requestOf(this);
  if (req.done !== null) req.client.outstanding.settle(req, req.client.verdict(req));
}

function onError(this: ClientHttp2Stream, err: Error): void {
  const req = requestOf(this);
  if (req.done !== null) req.client.outstanding.settle(req, failureFromError(err));
}

function onClose(this: ClientHttp2Stream): void {
  const req = requestOf(this);
  if (req.done !== null) req.client.outstanding.settle(req, failure("reset", `stream closed with code ${this.rstCode}`));
  // Node keeps a closed stream reachable from old space until the next full GC (clients/library/grpc/
  // release-closed-streams.ts explains how), and so this request through kRequest: let the answer's buffers go now.
  req.first = null;
  req.rest = null;
  if (req.slot !== null) req.client.slots.release(req.slot, 1);
}

class Http2Client extends SessionClient<SessionSlot, Http2Request> {
  readonly #responseBytes: number;
  readonly #body: Uint8Array;

  constructor(opts: ClientOptions, tls: boolean) {
    const slots: SessionSlot[] = [];
    for (let i = 0; i < opts.connections; i++) slots.push({ session: null, active: 0 });
    super(opts, slots, `${tls ? "https" : "http"}://${urlHost(opts.host)}:${opts.port}`, {
      maxSessionMemory: MAX_SESSION_MEMORY_MB,
      settings: { enablePush: false },
      ...(tls ? { secureContext: clientSecureContext(opts.caPem ?? "", opts.tlsParameters), servername: TLS_SERVER_NAME, ALPNProtocols: ["h2"] } : {}),
    });
    this.#responseBytes = opts.responseBytes;
    this.#body = makeBody(opts.requestBytes);
  }

  verdict(req: Http2Request): RequestFailure | null {
    if (req.status !== 200) return failure("status", `HTTP status ${req.status}`);
    const buf = req.rest !== null ? Buffer.concat(req.rest) : (req.first ?? EMPTY);
    let seq: number;
    let body: Uint8Array;
    try {
      ({ seq, body } = decodePayload(buf));
    } catch (err) {
      return failure("protocol", `undecodable answer: ${(err as Error).message}`);
    }
    if (seq === req.seq && bodyLooksRight(body, this.#responseBytes)) return null;
    return failure("mismatch", `sent seq ${req.seq}, got seq ${seq} with a ${body.length}-byte body`);
  }

  protected override newRequest(seq: number, done: SendCallback): Http2Request {
    return new Http2Request(this, seq, done);
  }

  protected override start(slot: SessionSlot, req: Http2Request): void {
    let stream: ClientHttp2Stream;
    try {
      stream = this.openStream(slot, REQUEST_HEADERS);
    } catch (err) {
      this.outstanding.settle(req, failureFromError(err));
      this.slots.release(slot, 1);
      return;
    }
    (stream as TaggedStream)[kRequest] = req;
    req.stream = stream;
    req.slot = slot;
    stream.on("response", onResponse);
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", onError);
    stream.on("close", onClose);
    stream.end(encodePayload(req.seq, this.#body));
  }
}

export async function createClient(opts: ClientOptions): Promise<BenchClient> {
  checkClientOptions(opts);
  const { tls } = armServedBy(opts.protocol, "http2", "clients/library/http2");
  if (tls && opts.caPem === undefined) throw new TypeError(`the ${opts.protocol} arm needs opts.caPem`);
  return new Http2Client(opts, tls);
}
