/**
 * An incremental HTTP/1.1 response parser: bytes in as they arrive (any split, several responses in one read),
 * whole responses out. Pure — no I/O, no timers — so tests drive it with exact bytes.
 *
 * A head is found by its empty line and read at once (response-head.ts); the body is delimited as RFC 9112 §6.3
 * says: none for 1xx/204/304, chunked (chunked-body.ts), content-length, or the close of the connection (`end()`).
 * Interim 1xx responses are skipped (RFC 9110 §15.2). A body that arrives in one read is handed on as a view of
 * it; one that spans reads is copied into a buffer the parser keeps for the next response when it is small.
 */

import { assertNever } from "../../../contract/index.ts";
import { ChunkedBody } from "./chunked-body.ts";
import { couldStartStatusLine, emptyHead, readHead, ResponseParseError } from "./response-head.ts";

export { ResponseParseError } from "./response-head.ts";

export interface ResponseSink {
  /**
   * A final response is complete. `body` views the pushed bytes or the parser's own buffer: valid during this call
   * only. `keepAlive`: the connection may carry another request (RFC 9112 §9.3).
   */
  onResponse(status: number, body: Uint8Array, keepAlive: boolean): void;
}

/** Longest head accepted, the same 16 KiB as Node's and undici's `maxHeaderSize`. */
export const MAX_HEAD_BYTES = 16 * 1024;
/** A body buffer up to this size is kept for the next response; a larger one is dropped after its response. */
const KEPT_BODY_BYTES = 64 * 1024;
const HEAD_END = Buffer.from("\r\n\r\n", "latin1");
const NO_BODY = new Uint8Array(0);

type State = "head" | "length-body" | "chunked-body" | "until-close" | "stopped";

/** What `end()` found when the connection closed: nothing half-read, or a response cut short. */
export type EndOfInput = "clean" | "truncated";

export class ResponseParser {
  readonly #sink: ResponseSink;
  readonly #maxBodyBytes: number;
  readonly #head = emptyHead();
  readonly #chunked: ChunkedBody;
  #state: State = "head";
  /** The head read so far when it spans reads. */
  #headBytes: Buffer | null = null;
  #headLength = 0;
  /** The body read so far when it spans reads (or is chunked). */
  #body: Buffer | null = null;
  #bodyLength = 0;
  /** Bytes of a content-length body still to come. */
  #remaining = 0;
  #status = 0;
  #keepAlive = true;

  /** `maxBodyBytes`: a longer body is a protocol error rather than a buffer of any size. */
  constructor(sink: ResponseSink, maxBodyBytes: number) {
    this.#sink = sink;
    this.#maxBodyBytes = maxBodyBytes;
    this.#chunked = new ChunkedBody(maxBodyBytes, MAX_HEAD_BYTES);
  }

  /** Whether a response has begun and not ended. */
  get midResponse(): boolean {
    return this.#state !== "head" || this.#headLength > 0;
  }

  /** Feeds bytes; calls the sink for each response they complete. Throws `ResponseParseError`, then ignores input. */
  push(chunk: Buffer): void {
    try {
      for (let pos = 0; pos < chunk.length; ) {
        const state = this.#state;
        switch (state) {
          case "head":
            pos = this.#readHead(chunk, pos);
            break;
          case "length-body":
            pos = this.#readLengthBody(chunk, pos);
            break;
          case "chunked-body":
            pos = this.#chunked.read(chunk, pos, this);
            break;
          case "until-close":
            this.appendBody(chunk, pos, chunk.length);
            pos = chunk.length;
            break;
          case "stopped":
            return;
          default:
            assertNever(state);
        }
      }
    } catch (err) {
      this.#state = "stopped";
      throw err;
    }
  }

  /** The connection closed: completes a body delimited by the close (RFC 9112 §6.3 rule 8), else says what was cut. */
  end(): EndOfInput {
    const state = this.#state;
    this.#state = "stopped";
    switch (state) {
      case "head":
        return this.#headLength === 0 ? "clean" : "truncated";
      case "until-close":
        this.#keepAlive = false;
        this.completeResponse();
        return "clean";
      case "length-body":
      case "chunked-body":
        return "truncated";
      case "stopped":
        return "clean";
      default:
        return assertNever(state);
    }
  }

  /** Ignores all further input: the connection is being closed. */
  stop(): void {
    this.#state = "stopped";
  }

  /** Copies body bytes that span reads (or come in chunks) into the body buffer. */
  appendBody(chunk: Buffer, start: number, end: number): void {
    const needed = this.#bodyLength + end - start;
    if (needed > this.#maxBodyBytes) throw new ResponseParseError(`a body longer than ${this.#maxBodyBytes} bytes`);
    // Doubling keeps a body of unknown length (chunked, or up to the close) to a few copies.
    if (this.#body === null || this.#body.length < needed) this.#reserve(Math.max(needed, Math.min(2 * this.#bodyLength, this.#maxBodyBytes)));
    chunk.copy(this.#body as Buffer, this.#bodyLength, start, end);
    this.#bodyLength = needed;
  }

  /** Ends the response with the body collected by `appendBody`. */
  completeResponse(): void {
    const body = this.#body === null ? NO_BODY : this.#body.subarray(0, this.#bodyLength);
    if (this.#body !== null && this.#body.length > KEPT_BODY_BYTES) this.#body = null;
    this.#bodyLength = 0;
    this.#complete(body);
  }

  /** Makes the body buffer hold at least `bytes`, keeping what it holds. */
  #reserve(bytes: number): void {
    const body = this.#body;
    if (body !== null && body.length >= bytes) return;
    const grown = Buffer.allocUnsafe(Math.max(bytes, 1024));
    if (body !== null) body.copy(grown, 0, 0, this.#bodyLength);
    this.#body = grown;
  }

  #complete(body: Uint8Array): void {
    // Set before the sink runs, which may stop the parser.
    this.#state = this.#keepAlive ? "head" : "stopped";
    this.#sink.onResponse(this.#status, body, this.#keepAlive);
  }

  #readHead(chunk: Buffer, pos: number): number {
    if (this.#headLength === 0) {
      const at = chunk.indexOf(HEAD_END, pos);
      if (at === -1) {
        this.#keepHead(chunk, pos, chunk.length);
        return chunk.length;
      }
      if (at - pos > MAX_HEAD_BYTES) throw new ResponseParseError(`a response head longer than ${MAX_HEAD_BYTES} bytes`);
      readHead(chunk, pos, at + 2, this.#head);
      this.#beginBody();
      return at + HEAD_END.length;
    }
    const before = this.#headLength;
    const taken = Math.min(chunk.length - pos, MAX_HEAD_BYTES + HEAD_END.length - before);
    this.#keepHead(chunk, pos, pos + taken);
    const kept = (this.#headBytes as Buffer).subarray(0, this.#headLength);
    // The empty line may straddle the reads: look from up to three bytes back.
    const at = kept.indexOf(HEAD_END, Math.max(0, before - 3));
    if (at === -1) {
      if (this.#headLength > MAX_HEAD_BYTES) throw new ResponseParseError(`a response head longer than ${MAX_HEAD_BYTES} bytes`);
      return pos + taken;
    }
    this.#headLength = 0;
    readHead(kept, 0, at + 2, this.#head);
    this.#beginBody();
    return pos + at + HEAD_END.length - before;
  }

  #keepHead(chunk: Buffer, start: number, end: number): void {
    const needed = this.#headLength + end - start;
    if (needed > MAX_HEAD_BYTES + HEAD_END.length) throw new ResponseParseError(`a response head longer than ${MAX_HEAD_BYTES} bytes`);
    const kept = (this.#headBytes ??= Buffer.allocUnsafe(MAX_HEAD_BYTES + HEAD_END.length));
    chunk.copy(kept, this.#headLength, start, end);
    this.#headLength = needed;
    if (!couldStartStatusLine(kept, 0, needed)) throw new ResponseParseError("the response does not start with an HTTP/1.x status line");
  }

  /** Chooses how the body is delimited (RFC 9112 §6.3), after a head was read. */
  #beginBody(): void {
    const head = this.#head;
    const status = head.status;
    if (status < 200) {
      // 101 answers an Upgrade, which this client never asks for (RFC 9110 §15.2.2); other 1xx precede the answer.
      if (status === 101) throw new ResponseParseError("101 Switching Protocols to a request without Upgrade");
      return;
    }
    this.#status = status;
    // §9.3: HTTP/1.1 persists unless `close`; HTTP/1.0 only with keep-alive (Appendix C.2.2).
    this.#keepAlive = !head.close && (!head.http10 || head.keepAlive);
    if (status === 204 || status === 304) {
      this.#complete(NO_BODY); // rule 1: no content whatever the fields say
    } else if (head.chunked) {
      // Rule 3: both framings at once is how responses are smuggled; an HTTP/1.0 answer cannot be chunked (§6.1).
      if (head.contentLength !== -1) throw new ResponseParseError("both transfer-encoding and content-length");
      if (head.http10) throw new ResponseParseError("transfer-encoding in an HTTP/1.0 response");
      this.#chunked.begin();
      this.#state = "chunked-body";
    } else if (head.contentLength > this.#maxBodyBytes) {
      throw new ResponseParseError(`content-length ${head.contentLength} above the ${this.#maxBodyBytes}-byte limit`);
    } else if (head.contentLength === 0) {
      this.#complete(NO_BODY);
    } else if (head.contentLength > 0) {
      this.#remaining = head.contentLength;
      this.#state = "length-body";
    } else {
      this.#keepAlive = false; // rule 8: the body runs to the close
      this.#state = "until-close";
    }
  }

  #readLengthBody(chunk: Buffer, pos: number): number {
    const available = chunk.length - pos;
    if (this.#bodyLength === 0 && available >= this.#remaining) {
      // The whole body in this read: hand on a view, no copy.
      const end = pos + this.#remaining;
      this.#complete(chunk.subarray(pos, end));
      return end;
    }
    const taken = Math.min(available, this.#remaining);
    if (this.#bodyLength === 0) this.#reserve(this.#remaining);
    this.appendBody(chunk, pos, pos + taken);
    this.#remaining -= taken;
    if (this.#remaining === 0) this.completeResponse();
    return pos + taken;
  }
}
