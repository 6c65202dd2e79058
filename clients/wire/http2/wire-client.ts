/**
 * The skeleton of the wire-level HTTP/2 clients (clients/wire/http2/client.ts for h2c and h2, clients/wire/grpc/
 * client.ts for grpc and grpc-stream), the counterpart of clients/library/http2/session-client.ts: `connections`
 * slots, each with one connection opened on first use and replaced once it is unusable (closed, or draining after a
 * GOAWAY), at most `streams` requests per slot with the rest in one FIFO (clients/common/slot-queue.ts), timeouts from
 * one sweep (clients/common/outstanding.ts). A subclass says how a request goes on the wire.
 */

import type { BenchClient, ClientOptions, SendCallback } from "../../../contract/index.ts";
import { CLOSED_FAILURE, Outstanding, urlHost, warmUpAll } from "../../common/outstanding.ts";
import type { Tracked } from "../../common/outstanding.ts";
import { clientSecureContext } from "../../common/tls-context.ts";
import { SlotQueue } from "../../common/slot-queue.ts";
import type { Slot } from "../../common/slot-queue.ts";
import { connectSession } from "./connect.ts";
import type { ConnectTarget } from "./connect.ts";
import { prepareRequestHeaders } from "./hpack-encoder.ts";
import type { HeaderField, RequestHeaderBlocks } from "./hpack-encoder.ts";
import type { Http2Session } from "./session.ts";

/** A connection slot: the session it carries now, if any, and the requests on it. */
export interface WireSlot extends Slot {
  session: Http2Session | null;
}

/**
 * The request header list every request of a client sends, encoded once (hpack-encoder.ts); pseudo-header fields
 * first (RFC 9113 §8.3.1), then `extra`.
 */
export function requestHeaders(opts: ClientOptions, tls: boolean, path: string, extra: readonly HeaderField[], method = "POST"): RequestHeaderBlocks {
  return prepareRequestHeaders([
    [":method", method],
    [":scheme", tls ? "https" : "http"],
    [":path", path],
    [":authority", `${urlHost(opts.host)}:${opts.port}`],
    ...extra,
  ]);
}

export abstract class WireClient<S extends WireSlot, R extends Tracked> implements BenchClient {
  readonly outstanding: Outstanding<R>;
  readonly slots: SlotQueue<S, R>;
  readonly #target: ConnectTarget;
  readonly #headers: RequestHeaderBlocks;
  #closed = false;

  constructor(opts: ClientOptions, slots: readonly S[], tls: boolean, headers: RequestHeaderBlocks) {
    this.#target = { host: opts.host, port: opts.port, tls, secureContext: tls ? clientSecureContext(opts.caPem ?? "", opts.tlsParameters) : undefined };
    this.#headers = headers;
    this.slots = new SlotQueue<S, R>(slots, opts.streams, (slot, req) => this.start(slot, req));
    this.outstanding = new Outstanding<R>(opts.requestTimeoutMs, (req) => this.expire(req));
  }

  /** A new, unlisted request for `seq`. */
  protected abstract newRequest(seq: number, done: SendCallback): R;

  /**
   * Puts `req` on the wire on `slot`, whose `active` already counts it; whatever becomes of it, `slots.release(slot, 1)`
   * follows exactly once: when it is answered or failed, or at once if it expires (`expire`).
   */
  protected abstract start(slot: S, req: R): void;

  /** A request that timed out (already failed with "timeout"): stop it on the wire and free its slot if it had one. */
  protected abstract expire(req: R): void;

  /** The slot's usable session, or a new connection in its place. */
  protected sessionOf(slot: S): Http2Session {
    const current = slot.session;
    if (current !== null && current.usable) return current;
    const session = connectSession(this.#target, this.#headers, (closed) => {
      if (slot.session === closed) slot.session = null;
    });
    slot.session = session;
    return session;
  }

  get inFlight(): number {
    return this.outstanding.size;
  }

  send(seq: number, done: SendCallback): void {
    if (this.#closed) {
      done(CLOSED_FAILURE);
      return;
    }
    const req = this.newRequest(seq, done);
    this.outstanding.add(req);
    this.slots.submit(req);
  }

  /** One request on every connection, so each is connected and has exchanged SETTINGS before load starts. */
  warmUp(): Promise<void> {
    return warmUpAll(this.slots.slots.length, (i, done) => {
      const req = this.newRequest(i, done);
      this.outstanding.add(req);
      this.slots.startOn(this.slots.slots[i] as S, req);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.slots.close();
    this.outstanding.failAll(CLOSED_FAILURE);
    this.outstanding.stop();
    await Promise.all(this.slots.slots.map((slot) => slot.session?.close(CLOSED_FAILURE)));
  }
}
