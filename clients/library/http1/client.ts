/**
 * HTTP/1.1 client for the `http1` and `http1-close` arms and their TLS twins `https1` and `https1-close`: an undici
 * `Pool` driven through `dispatch` with one small handler object per request, the cheapest path undici offers (no
 * body stream, no promise).
 *
 * `http1` keeps `connections` connections alive with one request at a time on each (no pipelining, as browsers and
 * most clients do). `http1-close` sends `connection: close` and `reset: true`, so every request opens its own
 * connection, at most `connections` at once.
 *
 * Over TLS undici's own connector resumes sessions: it keeps the last one each server name issued (lib/core/connect.js,
 * `maxCachedSessions` 100 by default, held by WeakRef) and offers it on the next connection, as browsers do. Wrapped,
 * so the client can tell which handshakes resumed.
 */

import { TLSSocket } from "node:tls";
import { buildConnector, Pool } from "undici";
import type { Dispatcher } from "undici";
import { HandshakeEvents } from "../../common/tls-handshakes.ts";
import { clientSecureContext } from "../../common/tls-context.ts";
import type { TlsHandshakeListener } from "../../common/tls-handshakes.ts";
import { failure, failureFromError } from "../../common/error-kind.ts";
import { armServedBy, assertNever, TLS_SERVER_NAME } from "../../../contract/index.ts";
import type { BenchClient, ClientOptions, RequestFailure, SendCallback } from "../../../contract/index.ts";
import { bodyLooksRight, decodePayload, encodePayload, makeBody, PROTOBUF_CONTENT_TYPE, UNARY_PATH } from "../../../proto/codec.ts";
import { checkClientOptions, CLOSED_FAILURE, Outstanding, urlHost, warmUpAll } from "../../common/outstanding.ts";
import type { Tracked } from "../../common/outstanding.ts";

const EMPTY = Buffer.alloc(0);
const HEADERS: readonly string[] = ["content-type", PROTOBUF_CONTENT_TYPE];
// undici turns `connection: close` into `reset` and writes the header itself (lib/core/request.js processHeader).
const CLOSE_HEADERS: readonly string[] = ["content-type", PROTOBUF_CONTENT_TYPE, "connection", "close"];

interface Shared {
  readonly outstanding: Outstanding<Http1Request>;
  readonly responseBytes: number;
}

/** One request's state, and its undici handler (undici calls these as methods, so `this` is the request). */
class Http1Request implements Tracked, Dispatcher.DispatchHandler {
  deadlineMs = 0;
  done: SendCallback | null;
  olderOutstanding: Tracked | null = null;
  newerOutstanding: Tracked | null = null;
  readonly seq: number;
  readonly shared: Shared;
  controller: Dispatcher.DispatchController | null = null;
  status = 0;
  first: Buffer | null = null;
  rest: Buffer[] | null = null;

  constructor(shared: Shared, seq: number, done: SendCallback) {
    this.shared = shared;
    this.seq = seq;
    this.done = done;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // Timed out or closed while still queued in the pool: do not put it on the wire.
    if (this.done === null) controller.abort(new Error("request already settled"));
    else this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.first === null) this.first = chunk;
    else (this.rest ??= [this.first]).push(chunk);
  }

  onResponseEnd(): void {
    this.shared.outstanding.settle(this, this.verdict());
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.done !== null) this.shared.outstanding.settle(this, failureFromError(error));
  }

  verdict(): RequestFailure | null {
    if (this.status !== 200) return failure("status", `HTTP status ${this.status}`);
    const buf = this.rest !== null ? Buffer.concat(this.rest) : (this.first ?? EMPTY);
    let seq: number;
    let body: Uint8Array;
    try {
      ({ seq, body } = decodePayload(buf));
    } catch (err) {
      return failure("protocol", `undecodable answer: ${(err as Error).message}`);
    }
    if (seq === this.seq && bodyLooksRight(body, this.shared.responseBytes)) return null;
    return failure("mismatch", `sent seq ${this.seq}, got seq ${seq} with a ${body.length}-byte body`);
  }
}

/**
 * undici's connector with the options the pool would give it, reporting each TLS handshake to `handshakes`: it calls
 * back on `secureConnect` (lib/core/connect.js), when isSessionReused() is known.
 *
 * It also holds the last session the server issued. undici's cache keeps sessions behind a WeakRef
 * (lib/core/connect.js WeakSessionCache), so a garbage collection between two connections could drop it and turn
 * the next handshake into a full one — at random, by the generator's heap, not by TLS. Holding the same Buffer keeps
 * undici's entry alive, so every connection after the first session resumes, as the wire client's do.
 */
function reportingConnector(opts: ClientOptions, handshakes: HandshakeEvents): buildConnector.connector {
  const connect = buildConnector({
    // The per-run certificate names localhost (bench/run/tls.ts); ALPN offers http/1.1 alone, as allowH2 is off.
    // One context for every connection (clients/common/tls-context.ts): undici hands its options to tls.connect.
    secureContext: clientSecureContext(opts.caPem ?? "", opts.tlsParameters),
    servername: TLS_SERVER_NAME,
    allowH2: false,
    // What the pool gives its own connector for connectTimeout (lib/dispatcher/pool.js).
    timeout: opts.requestTimeoutMs,
  });
  // Read by nothing: holding it is the point (see above).
  let lastSession: Buffer | null = null;
  return (options, callback) =>
    connect(options, (...args) => {
      const socket = args[1];
      if (socket instanceof TLSSocket) {
        handshakes.handshake(socket);
        socket.on("session", (issued: Buffer) => (lastSession = issued));
      }
      callback(...args);
    });
}

export async function createClient(opts: ClientOptions): Promise<BenchClient> {
  checkClientOptions(opts);
  const arm = armServedBy(opts.protocol, "http1", "clients/library/http1");
  if (arm.tls && opts.caPem === undefined) throw new TypeError(`the ${opts.protocol} arm needs opts.caPem`);
  let close: boolean;
  switch (arm.connection) {
    case "keep-alive":
      close = false;
      break;
    case "per-request":
      close = true;
      break;
    default:
      return assertNever(arm.connection);
  }

  const handshakes = arm.tls ? new HandshakeEvents() : null;
  const pool = new Pool(`${arm.tls ? "https" : "http"}://${urlHost(opts.host)}:${opts.port}`, {
    connections: opts.connections,
    ...(handshakes === null ? {} : { connect: reportingConnector(opts, handshakes) }),
    pipelining: 1,
    allowH2: false, // undici 8 negotiates HTTP/2 by default
    connectTimeout: opts.requestTimeoutMs,
    // Timeouts are the client's own sweep, the same for every arm; undici's per-request timers are off.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const outstanding = new Outstanding<Http1Request>(opts.requestTimeoutMs, (req) => {
    req.controller?.abort(new Error("request timed out"));
  });
  const shared: Shared = { outstanding, responseBytes: opts.responseBytes };
  const body = makeBody(opts.requestBytes);
  const headers = close ? CLOSE_HEADERS : HEADERS;
  let closed = false;

  function send(seq: number, done: SendCallback): void {
    if (closed) {
      done(CLOSED_FAILURE);
      return;
    }
    const req = new Http1Request(shared, seq, done);
    outstanding.add(req);
    try {
      pool.dispatch(
        { path: UNARY_PATH, method: "POST", headers: headers as string[], body: encodePayload(seq, body), reset: close },
        req,
      );
    } catch (err) {
      outstanding.settle(req, failureFromError(err));
    }
  }

  return {
    ...(handshakes === null ? {} : { onTlsHandshake: (listener: TlsHandshakeListener | null) => handshakes.listen(listener) }),
    warmUp: () => warmUpAll(opts.connections, send),
    send,
    get inFlight() {
      return outstanding.size;
    },
    async close() {
      if (closed) return;
      closed = true;
      outstanding.failAll(CLOSED_FAILURE);
      outstanding.stop();
      await pool.destroy();
    },
  };
}
