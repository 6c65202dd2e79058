/**
 * The skeleton of the node:http2 clients — clients/library/http2/client.ts (h2c, h2) and
 * clients/library/grpc/lean-client.ts (grpc, grpc-stream): `connections` connection slots, each carrying one
 * session opened on first use and reopened when it has closed, at most `streams` requests per slot with the rest in
 * one FIFO (clients/common/slot-queue.ts), timeouts from one sweep (clients/common/outstanding.ts), and a bounded
 * graceful close. A subclass says how a request is made and put on the wire.
 *
 * The hot path is what each client had with its own copy: `send` allocates the one request object and calls the
 * subclass's `newRequest` and `start` as ordinary methods — one client class per generator process, so those call
 * sites stay monomorphic — and no closure is made per request.
 */

import http2 from "node:http2";
import type { ClientHttp2Session, ClientHttp2Stream, OutgoingHttpHeaders, SecureClientSessionOptions } from "node:http2";
import type { BenchClient, ClientOptions, SendCallback } from "../../../contract/index.ts";
import { CLOSED_FAILURE, Outstanding, warmUpAll } from "../../common/outstanding.ts";
import type { Tracked } from "../../common/outstanding.ts";
import { SlotQueue } from "../../common/slot-queue.ts";
import type { Slot } from "../../common/slot-queue.ts";

/** How long a graceful close (GOAWAY, FIN) may take before the session is destroyed. */
const CLOSE_GRACE_MS = 1_000;

/** A connection slot: the session it carries now, if any, and the requests on it. */
export interface SessionSlot extends Slot {
  session: ClientHttp2Session | null;
}

/** A request: its own stream once started (null while queued, and for a request carried as a message on a bidi call). */
export interface StreamRequest extends Tracked {
  stream: ClientHttp2Stream | null;
}

/** The slot's open session, or a new one to `authority` (the slot forgets it when it closes). */
function sessionOf(slot: SessionSlot, authority: string, options: SecureClientSessionOptions): ClientHttp2Session {
  const current = slot.session;
  if (current !== null && !current.closed && !current.destroyed) return current;
  const session = http2.connect(authority, options);
  // Connect and session errors also fail the session's streams, which report them one by one.
  session.on("error", () => {});
  session.on("close", () => {
    if (slot.session === session) slot.session = null;
  });
  slot.session = session;
  return session;
}

/** Closes a session gracefully and destroys it if that takes longer than `CLOSE_GRACE_MS`. */
function closeSession(session: ClientHttp2Session | null): Promise<void> {
  if (session === null || session.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => session.destroy(), CLOSE_GRACE_MS);
    session.close(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

/** Cancels a stream that is still open (RST_STREAM CANCEL); its 'close' then frees its slot. */
export function cancelStream(stream: ClientHttp2Stream | null): void {
  if (stream !== null && !stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
}

export abstract class SessionClient<S extends SessionSlot, R extends StreamRequest> implements BenchClient {
  readonly outstanding: Outstanding<R>;
  readonly slots: SlotQueue<S, R>;
  readonly #authority: string;
  readonly #sessionOptions: SecureClientSessionOptions;
  #closed = false;

  constructor(opts: ClientOptions, slots: readonly S[], authority: string, sessionOptions: SecureClientSessionOptions) {
    this.#authority = authority;
    this.#sessionOptions = sessionOptions;
    this.slots = new SlotQueue<S, R>(slots, opts.streams, (slot, req) => this.start(slot, req));
    this.outstanding = new Outstanding<R>(opts.requestTimeoutMs, (req) => this.expire(req));
  }

  /** A new, unlisted request for `seq`. */
  protected abstract newRequest(seq: number, done: SendCallback): R;

  /**
   * Puts `req` on the wire on `slot`, whose `active` already counts it; when it cannot, it settles `req` and calls
   * `this.slots.release(slot, 1)`.
   */
  protected abstract start(slot: S, req: R): void;

  /** A request that timed out: a queued one is skipped when its turn comes; an open stream is cancelled. */
  protected expire(req: R): void {
    cancelStream(req.stream);
  }

  /** What `close` ends on a slot before its session closes, besides the requests' streams. */
  protected closeSlot(_slot: S): void {}

  /** A new stream on `slot`'s session (opened or reopened as needed), its request body still to be written. */
  protected openStream(slot: S, headers: OutgoingHttpHeaders): ClientHttp2Stream {
    return sessionOf(slot, this.#authority, this.#sessionOptions).request(headers, { endStream: false });
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
    for (const req of this.outstanding.failAll(CLOSED_FAILURE)) cancelStream(req.stream);
    this.outstanding.stop();
    for (const slot of this.slots.slots) this.closeSlot(slot);
    await Promise.all(this.slots.slots.map((slot) => closeSession(slot.session)));
  }
}
