/**
 * Which streams a connection has (RFC 9113 §5.1): the client's stream ids are odd and increasing (§5.1.1); at most
 * the server's SETTINGS_MAX_CONCURRENT_STREAMS are open at once (§5.1.2), and a request beyond that — or before the
 * server's SETTINGS arrived — waits here in order. A frame for a stream id we never opened is a connection error;
 * one for a stream we closed is a frame in flight and is dropped.
 */

import { failure } from "../../common/error-kind.ts";
import type { RequestFailure } from "../../../contract/index.ts";
import { Fifo } from "../../common/outstanding.ts";
import { ErrorCode, Http2ConnectionError, MAX_STREAM_ID } from "./frames.ts";
import type { Http2Stream } from "./stream.ts";
import { StreamTable } from "./stream-table.ts";

/** §5.1.2: no limit until the server's SETTINGS say one. */
const UNLIMITED_STREAMS = 2 ** 32;

export class StreamRegistry {
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS. */
  peerMaxStreams = UNLIMITED_STREAMS;
  readonly #open = new StreamTable<Http2Stream>();
  readonly #waiting = new Fifo<Http2Stream>();
  readonly #start: (stream: Http2Stream) => void;
  #nextStreamId = 1;

  /** `start(stream)` puts an opened stream's HEADERS (and any waiting DATA) on the wire. */
  constructor(start: (stream: Http2Stream) => void) {
    this.#start = start;
  }

  /** Streams opened and not closed: what counts against the server's limit. */
  get openCount(): number {
    return this.#open.size;
  }

  /** All 2^30 client stream ids are used: the connection cannot carry another request. */
  get exhausted(): boolean {
    return this.#nextStreamId > MAX_STREAM_ID;
  }

  get(streamId: number): Http2Stream | undefined {
    return this.#open.get(streamId);
  }

  /** A copy of the open streams. */
  openStreams(): Http2Stream[] {
    return this.#open.values();
  }

  /** Opens `stream` now if `allowed` and nothing waits before it and the server allows one more; queues it otherwise. */
  submit(stream: Http2Stream, allowed: boolean): void {
    stream.streamState = "queued";
    if (allowed && this.#waiting.length === 0 && this.#hasRoom()) this.#openNow(stream);
    else this.#waiting.push(stream);
  }

  /** Opens waiting streams while the server allows (skipping any cancelled while they waited). */
  openWaiting(): void {
    while (this.#waiting.length > 0 && this.#hasRoom()) {
      const stream = this.#waiting.shift() as Http2Stream;
      if (stream.streamState === "queued") this.#openNow(stream);
    }
  }

  /** The stream is closed: the session holds it no more. */
  forget(stream: Http2Stream): void {
    this.#open.delete(stream);
    stream.streamState = "closed";
    stream.pendingData = null;
  }

  /** Throws unless `streamId` is one we opened (and have closed since): §5.1, "idle" streams get no frames. */
  checkPast(streamId: number, frame: string): void {
    if (streamId % 2 === 1 && streamId < this.#nextStreamId) return;
    throw new Http2ConnectionError(ErrorCode.PROTOCOL_ERROR, `${frame} on stream ${streamId}, which the client never opened (§5.1)`);
  }

  /** Fails the open streams above `lastStreamId` (GOAWAY: not processed, §6.8) and every waiting one. */
  failAbove(lastStreamId: number, why: RequestFailure): void {
    for (const stream of this.#open.values()) {
      if (stream.streamId <= lastStreamId) continue;
      this.forget(stream);
      stream.onAbort(why);
    }
    this.failWaiting(why);
  }

  /** Fails every stream, open or waiting, with `why`. */
  failAll(why: RequestFailure): void {
    this.failAbove(0, why);
  }

  failWaiting(why: RequestFailure = failure("reset", "the connection closed")): void {
    while (this.#waiting.length > 0) {
      const stream = this.#waiting.shift() as Http2Stream;
      if (stream.streamState !== "queued") continue;
      stream.streamState = "closed";
      stream.onAbort(why);
    }
  }

  #hasRoom(): boolean {
    return this.#open.size < this.peerMaxStreams && this.#nextStreamId <= MAX_STREAM_ID;
  }

  #openNow(stream: Http2Stream): void {
    stream.streamId = this.#nextStreamId;
    this.#nextStreamId += 2;
    stream.streamState = "open";
    this.#open.add(stream);
    this.#start(stream);
  }
}
