/**
 * One request that is one stream (h2c, h2, unary gRPC): it collects the response's status, DATA and trailers, and
 * hands itself to its owner when the stream ends or fails; the owner judges it. One object per request: its
 * outstanding-list links, its stream state (stream.ts) and its answer.
 */

import type { RequestFailure, SendCallback } from "../../../contract/index.ts";
import { failure } from "../../common/error-kind.ts";
import type { Tracked } from "../../common/outstanding.ts";
import type { Http2Session } from "./session.ts";
import { Http2Stream } from "./stream.ts";
import type { ResponseHead } from "./stream.ts";
import type { WireSlot } from "./wire-client.ts";

const EMPTY = Buffer.alloc(0);

export interface UnaryOwner {
  /** The stream ended (`failure` null: judge the answer) or failed; called once per request. */
  finish(req: UnaryRequest, failure: RequestFailure | null): void;
}

export class UnaryRequest extends Http2Stream implements Tracked {
  deadlineMs = 0;
  done: SendCallback | null;
  olderOutstanding: Tracked | null = null;
  newerOutstanding: Tracked | null = null;
  readonly seq: number;
  readonly owner: UnaryOwner;
  slot: WireSlot | null = null;
  session: Http2Session | null = null;
  /** `:status` of the first header block; 0 until it came. */
  httpStatus = 0;
  headerBlocks = 0;
  grpcStatus: string | undefined = undefined;
  grpcMessage: string | undefined = undefined;
  /** The DATA received, as views: the first, and all of them once there is more than one. */
  first: Buffer | null = null;
  rest: Buffer[] | null = null;

  constructor(owner: UnaryOwner, seq: number, done: SendCallback) {
    super();
    this.owner = owner;
    this.seq = seq;
    this.done = done;
  }

  /** The response body received so far, joined only when it came in several frames. */
  body(): Buffer {
    return this.rest !== null ? Buffer.concat(this.rest) : (this.first ?? EMPTY);
  }

  override onHeaders(head: ResponseHead, endStream: boolean): void {
    if (this.headerBlocks++ === 0) this.httpStatus = head.status;
    if (head.grpcStatus !== undefined) {
      this.grpcStatus = head.grpcStatus;
      this.grpcMessage = head.grpcMessage;
    }
    if (endStream) this.owner.finish(this, null);
    // RFC 9113 §8.1: a second header block is the trailers, which must end the stream.
    else if (this.headerBlocks > 1) this.owner.finish(this, failure("protocol", "a trailer block without END_STREAM"));
  }

  override onData(data: Buffer, endStream: boolean): void {
    if (this.first === null) this.first = data;
    else (this.rest ??= [this.first]).push(data);
    if (endStream) this.owner.finish(this, null);
  }

  override onAbort(why: RequestFailure): void {
    this.owner.finish(this, why);
  }
}
