/**
 * The wire-level HTTP/1.1 client for the `http1` and `http1-close` arms: raw `net` (or `tls`) sockets, a request
 * encoded once (request-template.ts) and an incremental response parser (response-parser.ts), in place of undici.
 *
 * `http1` keeps `connections` keep-alive connections with one request in flight on each (no pipelining, as undici
 * with `pipelining: 1`); further requests wait in the client's FIFO until a connection frees. `http1-close` sends
 * `connection: close` and opens a connection per request, at most `connections` at once, as undici's pool does
 * with `reset: true` (clients/library/http1/client.ts). Both share SlotQueue with the HTTP/2 clients: a slot is a
 * connection (keep-alive) or the right to have one open (per request), and carries one request at a time.
 */

import { failure, failureFromError } from "../../common/error-kind.ts";
import { checkClientOptions, CLOSED_FAILURE, Outstanding, urlHost, warmUpAll } from "../../common/outstanding.ts";
import { SlotQueue } from "../../common/slot-queue.ts";
import { clientSecureContext } from "../../common/tls-context.ts";
import { HandshakeEvents } from "../../common/tls-handshakes.ts";
import type { TlsHandshakeListener } from "../../common/tls-handshakes.ts";
import { armServedBy, assertNever, TLS_SERVER_NAME } from "../../../contract/index.ts";
import type { BenchClient, ClientOptions, ConnectionModel, Exchange, RequestFailure, SendCallback } from "../../../contract/index.ts";
import { Http1Connection, verdictOf } from "./connection.ts";
import type { ConnectionContext, ConnectionSlot, TlsSettings, WireRequest } from "./connection.ts";
import { FixedRequest, RequestTemplate } from "./request-template.ts";
import type { RequestBytes } from "./request-template.ts";
import { exchangeBody, exchangeVerdict } from "../../common/answer-verdict.ts";

/** The socket read buffer, shared by every connection of a client: as large as a read of Node's own streams. */
const READ_BUFFER_BYTES = 64 * 1024;

export interface Http1WireOptions {
  readonly host: string;
  readonly port: number;
  readonly connections: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly requestTimeoutMs: number;
  readonly connection: ConnectionModel;
  /** TLS with the run's CA, or cleartext when null. */
  readonly tls: TlsSettings | null;
  /** A user server's request and expected answer instead of the workload's (contract/exchange.ts). */
  readonly exchange?: Exchange;
}

class Request implements WireRequest {
  deadlineMs = 0;
  done: SendCallback | null;
  olderOutstanding: WireRequest | null = null;
  newerOutstanding: WireRequest | null = null;
  slot: ConnectionSlot | null = null;
  readonly seq: number;

  constructor(seq: number, done: SendCallback) {
    this.seq = seq;
    this.done = done;
  }
}

export async function createClient(opts: ClientOptions): Promise<BenchClient> {
  checkClientOptions(opts);
  const arm = armServedBy(opts.protocol, "http1", "clients/wire/http1");
  let tlsSettings: TlsSettings | null = null;
  if (arm.tls) {
    if (opts.caPem === undefined) throw new TypeError(`${opts.protocol} runs over TLS: clients/wire/http1 needs caPem`);
    // The run's certificate names localhost (bench/run/tls.ts), as the library HTTP/2 client checks it.
    tlsSettings = { secureContext: clientSecureContext(opts.caPem, opts.tlsParameters), servername: TLS_SERVER_NAME };
  }
  return createHttp1WireClient({ ...opts, connection: arm.connection, tls: tlsSettings });
}

function requestBytes(opts: Http1WireOptions, close: boolean): RequestBytes {
  const authority = `${urlHost(opts.host)}:${opts.port}`;
  const { exchange } = opts;
  if (exchange !== undefined) return new FixedRequest(exchange, exchangeBody(exchange), authority, close);
  return new RequestTemplate({ authority, requestBytes: opts.requestBytes, close });
}

function judgeOf(opts: Http1WireOptions): ConnectionContext["judge"] {
  const { exchange, responseBytes } = opts;
  if (exchange !== undefined) return (_seq, status, body) => exchangeVerdict(exchange.expect, status, body.length);
  return (seq, status, body) => verdictOf(seq, status, body, responseBytes);
}

/** The client itself, for any connection model and transport; no socket opens before the first request. */
export function createHttp1WireClient(opts: Http1WireOptions): BenchClient {
  let oneRequest: boolean;
  switch (opts.connection) {
    case "keep-alive":
      oneRequest = false;
      break;
    case "per-request":
      oneRequest = true;
      break;
    default:
      return assertNever(opts.connection);
  }
  /** Sockets opened and not yet closed, which `close()` waits for. */
  let openSockets = 0;
  let allClosed: (() => void) | null = null;
  const slots: ConnectionSlot[] = Array.from({ length: opts.connections }, () => ({ active: 0, conn: null }));
  const outstanding = new Outstanding<Request>(opts.requestTimeoutMs, (req) => {
    // Without pipelining the connection is useless until the late answer comes: close it, as undici does on abort.
    const conn = req.slot?.conn;
    if (conn?.current === req) conn.fail(failure("timeout", "request timed out"));
  });
  const queue = new SlotQueue<ConnectionSlot, Request>(slots, 1, (slot, req) => {
    req.slot = slot;
    let conn = slot.conn;
    if (conn === null) {
      try {
        conn = slot.conn = new Http1Connection(ctx, slot);
      } catch (err) {
        // net.connect throws at once on what it cannot even try (a bad port): the request fails, the slot frees.
        outstanding.settle(req, failureFromError(err));
        queue.release(slot, 1);
        return;
      }
      openSockets++;
    }
    conn.send(req);
  });
  const ctx: ConnectionContext = {
    host: opts.host,
    port: opts.port,
    tls: opts.tls,
    template: requestBytes(opts, oneRequest),
    judge: judgeOf(opts),
    readBuffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
    oneRequest,
    tlsSession: null,
    handshakes: new HandshakeEvents(),
    requestEnded(slot: ConnectionSlot, req: WireRequest, outcome: RequestFailure | null) {
      outstanding.settle(req as Request, outcome);
      queue.release(slot, 1);
    },
    socketClosed() {
      if (--openSockets === 0) allClosed?.();
    },
  };
  let closed = false;

  function submit(req: Request, slot: ConnectionSlot | null): void {
    outstanding.add(req);
    if (slot === null) queue.submit(req);
    else queue.startOn(slot, req);
  }

  function send(seq: number, done: SendCallback): void {
    if (closed) {
      done(CLOSED_FAILURE);
      return;
    }
    if (!Number.isSafeInteger(seq) || seq < 0) {
      done(failure("other", `seq must be a safe non-negative integer, got ${seq}`));
      return;
    }
    submit(new Request(seq, done), null);
  }

  return {
    ...(opts.tls === null ? {} : { onTlsHandshake: (listener: TlsHandshakeListener | null) => ctx.handshakes.listen(listener) }),
    // One request on every slot: opens every keep-alive connection (for http1-close, `connections` connections).
    warmUp: () => warmUpAll(slots.length, (i, done) => submit(new Request(i, done), slots[i] as ConnectionSlot)),
    send,
    get inFlight() {
      return outstanding.size;
    },
    async close() {
      if (closed) return;
      closed = true;
      queue.close();
      outstanding.failAll(CLOSED_FAILURE);
      outstanding.stop();
      for (const slot of slots) slot.conn?.fail(CLOSED_FAILURE);
      if (openSockets > 0) await new Promise<void>((resolve) => (allClosed = resolve));
    },
  };
}
