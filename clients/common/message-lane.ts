/**
 * The requests of one WebSocket connection (the `ws` and `wss` arms), shared by the library and the wire client:
 * each request is one message, each answer one message, and servers/websocket answers in the order it read them,
 * so the lane is a FIFO and an answer settles the oldest request — its own when the seq matches, a mismatch
 * otherwise. A request that timed out stays in the FIFO, already settled and its slot released, until its late
 * answer comes and is dropped.
 *
 * WebSocket has no per-message status: the connection's end (a close frame, a reset) fails everything pending.
 */

import type { RequestFailure, SendCallback } from "../../contract/index.ts";
import { payloadVerdict } from "./answer-verdict.ts";
import { failure } from "./error-kind.ts";
import { Fifo } from "./outstanding.ts";
import type { Tracked } from "./outstanding.ts";

/** RFC 6455 §7.4.1: 1000 normal, 1001 going away, 1005 no code given, 1006 closed without a close frame. */
const CLOSE_CODES_OF_A_RESET = new Set([1000, 1001, 1005, 1006]);

/**
 * What a connection's close means for the requests pending on it: it never opened (`connect`), it went away
 * (`reset`), or the server refused what it was sent with another close code (`status`, as a gRPC status ends a
 * Bidi call: servers/websocket closes with 1003 or 1007).
 */
export function closeFailure(code: number, reason: string, opened: boolean): RequestFailure {
  const why = `close code ${code}${reason === "" ? "" : `: ${reason}`}`;
  if (!opened) return failure("connect", `the WebSocket did not open (${why})`);
  return failure(CLOSE_CODES_OF_A_RESET.has(code) ? "reset" : "status", `WebSocket closed with requests pending (${why})`);
}

export interface LaneRequest extends Tracked {
  readonly seq: number;
}

/** One request of a WebSocket client: its seq, its callback, and the lane that carries it once sent. */
export class MessageRequest implements LaneRequest {
  deadlineMs = 0;
  done: SendCallback | null;
  olderOutstanding: Tracked | null = null;
  newerOutstanding: Tracked | null = null;
  readonly seq: number;
  lane: MessageLane<MessageRequest> | null = null;

  constructor(seq: number, done: SendCallback) {
    this.seq = seq;
    this.done = done;
  }
}

export class MessageLane<R extends LaneRequest> {
  readonly #pending = new Fifo<R>();
  readonly #responseBytes: number;
  readonly #settle: (req: R, outcome: RequestFailure | null) => void;
  readonly #release: (count: number) => void;
  #ended = false;

  /** `settle` settles a request; `release(n)` tells the client n requests left this lane's connection. */
  constructor(responseBytes: number, settle: (req: R, outcome: RequestFailure | null) => void, release: (count: number) => void) {
    this.#responseBytes = responseBytes;
    this.#settle = settle;
    this.#release = release;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Messages sent and not answered yet, timed-out ones included. */
  get pending(): number {
    return this.#pending.length;
  }

  /** `req` went out as one message. */
  sent(req: R): void {
    this.#pending.push(req);
  }

  /**
   * One answer message arrived. False when no request waits for it: the caller ends the connection, since the
   * lane can no longer pair answers with requests.
   */
  answer(bytes: Uint8Array): boolean {
    const req = this.#pending.shift();
    if (req === undefined) return false;
    // Timed out already: this is its late answer, and its slot was released when it expired.
    if (req.done === null) return true;
    this.#settle(req, payloadVerdict(req.seq, bytes, this.#responseBytes));
    this.#release(1);
    return true;
  }

  /** `req` timed out (and is settled): its slot frees now, its answer is dropped when it comes. */
  expire(_req: R): void {
    this.#release(1);
  }

  /** The connection ended: every request still unsettled fails with `outcome`. */
  end(outcome: RequestFailure): void {
    if (this.#ended) return;
    this.#ended = true;
    let count = 0;
    for (let req = this.#pending.shift(); req !== undefined; req = this.#pending.shift()) {
      if (req.done === null) continue;
      this.#settle(req, outcome);
      count++;
    }
    if (count > 0) this.#release(count);
  }
}
