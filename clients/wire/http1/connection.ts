/**
 * One connection of the wire HTTP/1.1 client: a `net` or `tls` socket that carries one request at a time (no
 * pipelining, RFC 9112 §9.3.2), its response parser, and the request on it — the only I/O of clients/wire/http1.
 *
 * Reads land in one buffer the whole client shares (net's `onread`; tls.connect takes it too), so a read allocates
 * nothing: the parser hands each body on as a view that is verified before the callback returns, and copies only
 * what spans reads. Whatever ends the request — its answer, a parse error, a reset, the peer closing, a timeout —
 * passes through `#end`, which hands the outcome to the client exactly once.
 */

import net from "node:net";
import tls from "node:tls";
import { failure, failureFromError } from "../../common/error-kind.ts";
import type { Tracked } from "../../common/outstanding.ts";
import type { Slot } from "../../common/slot-queue.ts";
import type { RequestFailure } from "../../../contract/index.ts";
import type { HandshakeEvents } from "../../common/tls-handshakes.ts";
import { bodyLooksRight, decodePayload, MAX_BODY_BYTES } from "../../../proto/codec.ts";
import type { RequestBytes } from "./request-template.ts";
import { ResponseParseError, ResponseParser } from "./response-parser.ts";
import type { ResponseSink } from "./response-parser.ts";

/** Largest answer read: the largest body plus its payload framing, as servers/http1 accepts for requests. */
const MAX_RESPONSE_BYTES = MAX_BODY_BYTES + 32;

export interface TlsSettings {
  /**
   * The client's one context (clients/common/tls-context.ts): the CA to trust (the run's self-signed certificate,
   * bench/run/tls.ts) and the run's TLS version and ciphers, as the server has them.
   */
  readonly secureContext: tls.SecureContext;
  /** SNI and the name the certificate is checked against. */
  readonly servername: string;
}

export interface WireRequest extends Tracked {
  readonly seq: number;
  /** The slot whose connection carries it; null while it waits in the client's queue. */
  slot: ConnectionSlot | null;
}

/** A place for one connection: the open connection, or null until the next request opens one. */
export interface ConnectionSlot extends Slot {
  conn: Http1Connection | null;
}

/** What the client gives its connections. */
export interface ConnectionContext {
  readonly host: string;
  readonly port: number;
  readonly tls: TlsSettings | null;
  readonly template: RequestBytes;
  /** The outcome of an answer to the request `seq` (`verdictOf`, or a user server's exchange verdict). */
  readonly judge: (seq: number, status: number, body: Uint8Array) => RequestFailure | null;
  /** The buffer every socket of the client reads into; each read is parsed before the next one can land. */
  readonly readBuffer: Buffer;
  /** Each connection carries one request and is closed after its answer (`http1-close`). */
  readonly oneRequest: boolean;
  /** The TLS session to resume on the next connection: the last one a server issued to any connection. */
  tlsSession: Buffer | null;
  /** Hears every TLS handshake, full or resumed. */
  readonly handshakes: HandshakeEvents;
  /** The request on `slot` is over with `outcome` (null: a verified answer). Called once per request sent. */
  requestEnded(slot: ConnectionSlot, req: WireRequest, outcome: RequestFailure | null): void;
  /** A socket has closed. */
  socketClosed(): void;
}

/** The outcome of an answer, judged as the library clients judge it: status, then seq and body. */
export function verdictOf(seq: number, status: number, body: Uint8Array, responseBytes: number): RequestFailure | null {
  if (status !== 200) return failure("status", `HTTP status ${status}`);
  let payload;
  try {
    payload = decodePayload(body);
  } catch (err) {
    return failure("protocol", `undecodable answer: ${(err as Error).message}`);
  }
  if (payload.seq === seq && bodyLooksRight(payload.body, responseBytes)) return null;
  return failure("mismatch", `sent seq ${seq}, got seq ${payload.seq} with a ${payload.body.length}-byte body`);
}

export class Http1Connection implements ResponseSink {
  readonly #ctx: ConnectionContext;
  readonly #slot: ConnectionSlot;
  readonly #socket: net.Socket;
  readonly #parser: ResponseParser;
  #state: "connecting" | "open" | "closed" = "connecting";
  #current: WireRequest | null = null;

  /** Opens the socket at once; requests sent before it connects wait in the socket's write queue. */
  constructor(ctx: ConnectionContext, slot: ConnectionSlot) {
    this.#ctx = ctx;
    this.#slot = slot;
    this.#parser = new ResponseParser(this, MAX_RESPONSE_BYTES);
    const onread: net.OnReadOpts = { buffer: ctx.readBuffer, callback: (bytes: number) => this.#onRead(bytes) };
    const where = { host: ctx.host, port: ctx.port, onread };
    if (ctx.tls === null) {
      this.#socket = net.connect(where);
    } else {
      // Resume the last TLS session, as undici does (lib/core/connect.js keeps one per server name), so a connection
      // per request measures what a real client pays rather than a full handshake each time.
      // A TLS 1.3 server sends its tickets after the handshake (RFC 8446 §4.6.1), so 'session' comes on the first
      // read, before the answer that closes the connection.
      const { secureContext, servername } = ctx.tls;
      const session = ctx.tlsSession ?? undefined;
      const options = { ...where, secureContext, servername, ALPNProtocols: ["http/1.1"], session };
      const socket = tls.connect(options as tls.ConnectionOptions);
      socket.on("session", (issued: Buffer) => (ctx.tlsSession = issued));
      socket.once("secureConnect", () => ctx.handshakes.handshake(socket));
      this.#socket = socket;
    }
    // Requests are small and answered one at a time: Nagle would hold a request back for the previous ACK.
    this.#socket.setNoDelay(true);
    this.#socket.once(ctx.tls === null ? "connect" : "secureConnect", () => {
      if (this.#state === "connecting") this.#state = "open";
    });
    this.#socket.on("end", () => this.#onEnd());
    this.#socket.on("error", (err) => this.#onError(err));
    this.#socket.on("close", () => this.#onClose());
  }

  /** The request on this connection, if any. */
  get current(): WireRequest | null {
    return this.#current;
  }

  /** Puts `req` on the wire; the connection carries nothing else until it ends. */
  send(req: WireRequest): void {
    this.#current = req;
    const { template } = this.#ctx;
    const bytes = template.encode(req.seq);
    if (template.inline) {
      this.#socket.write(bytes);
      return;
    }
    // Head and shared tail leave in one writev.
    this.#socket.cork();
    this.#socket.write(bytes);
    this.#socket.write(template.tail);
    this.#socket.uncork();
  }

  /** Ends the request on this connection (if any) with `outcome` and closes the connection. */
  fail(outcome: RequestFailure): void {
    this.#close();
    this.#end(outcome);
  }

  onResponse(status: number, body: Uint8Array, keepAlive: boolean): void {
    const req = this.#current;
    if (req === null) {
      this.fail(failure("protocol", "an answer to no request")); // RFC 9112 §9.2: nothing to pair it with
      return;
    }
    // Close after the answer when the server or our request said so (RFC 9112 §9.6).
    if (!keepAlive || this.#ctx.oneRequest) this.#close();
    this.#end(this.#ctx.judge(req.seq, status, body));
  }

  #end(outcome: RequestFailure | null): void {
    const req = this.#current;
    if (req === null) return;
    this.#current = null;
    this.#ctx.requestEnded(this.#slot, req, outcome);
  }

  #close(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    if (this.#slot.conn === this) this.#slot.conn = null;
    this.#parser.stop();
    this.#socket.destroy();
  }

  #onRead(bytes: number): boolean {
    try {
      this.#parser.push(this.#ctx.readBuffer.subarray(0, bytes));
    } catch (err) {
      if (!(err instanceof ResponseParseError)) throw err;
      this.fail(failure("protocol", err.message));
    }
    return true;
  }

  #onEnd(): void {
    // The peer closed its side: a body delimited by the close ends here (RFC 9112 §6.3 rule 8); anything else
    // still unanswered was cut short (§8).
    const input = this.#parser.end();
    if (input === "truncated" || this.#current !== null) this.fail(failure("reset", "the server closed the connection before the answer"));
    else this.#close();
  }

  #onError(err: Error): void {
    // Before the connection is up (TCP connect or the TLS handshake), whatever went wrong means it could not open.
    this.fail(this.#state === "connecting" ? failure("connect", err.message) : failureFromError(err));
  }

  #onClose(): void {
    this.fail(failure("reset", "the connection closed before the answer"));
    this.#ctx.socketClosed();
  }
}
