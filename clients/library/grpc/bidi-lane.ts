/**
 * One long-lived `Bidi` call of the `grpc-stream` arm: each request is one message, each answer one message, matched
 * by seq. gRPC has no per-message status, so a non-OK status ends the call and fails everything pending on it; the
 * client opens a new call for the next request.
 *
 * The lane only does the matching; the call under it is grpc-js's (`openGrpcJsLane`) or the lean client's own
 * http2 stream (clients/library/grpc/lean-client.ts), which hand answers to `answer` and the call's end to `end`.
 */

import type * as grpc from "@grpc/grpc-js";
import { failure, failureFromError } from "../../common/error-kind.ts";
import type { RequestFailure } from "../../../contract/index.ts";
import type { BenchClient as GrpcStub, PayloadMessage } from "../../../proto/grpc-service.ts";
import type { Tracked } from "../../common/outstanding.ts";
import { answerVerdict } from "../../common/answer-verdict.ts";

export interface LaneRequest extends Tracked {
  readonly seq: number;
}

/** How many seqs of timed-out requests are remembered, so their late answers are dropped rather than misread. */
const MAX_LATE_SEQS = 4_096;

const ENDED_FAILURE = failure("reset", "Bidi call ended with requests pending");

/** What a lane needs of its call: grpc-js's ClientDuplexStream has this shape. */
export interface LaneCall {
  write(message: PayloadMessage): unknown;
  /** Ends the call at once (RST_STREAM CANCEL). */
  cancel(): void;
  /** Half-closes the call. */
  end(): unknown;
}

export class BidiLane<R extends LaneRequest> {
  ended = false;
  readonly #call: LaneCall;
  readonly #pending = new Map<number, R>();
  readonly #late = new Set<number>();
  readonly #responseBytes: number;
  readonly #settle: (req: R, outcome: RequestFailure | null) => void;
  readonly #release: (count: number) => void;

  /** `release(n)` tells the client n requests left this lane (answered, failed or expired). */
  constructor(
    call: LaneCall,
    responseBytes: number,
    settle: (req: R, outcome: RequestFailure | null) => void,
    release: (count: number) => void,
  ) {
    this.#call = call;
    this.#responseBytes = responseBytes;
    this.#settle = settle;
    this.#release = release;
  }

  write(req: R, message: PayloadMessage): void {
    if (this.#pending.has(req.seq)) {
      this.#settle(req, failure("other", `seq ${req.seq} is already in flight on this stream`));
      this.#release(1);
      return;
    }
    this.#pending.set(req.seq, req);
    this.#call.write(message);
  }

  /** The request timed out: stop waiting for it, and drop its answer if it still comes. */
  expire(req: R): void {
    if (this.#pending.get(req.seq) !== req) return;
    this.#pending.delete(req.seq);
    this.#late.add(req.seq);
    if (this.#late.size > MAX_LATE_SEQS) {
      for (const oldest of this.#late) {
        this.#late.delete(oldest);
        break;
      }
    }
    this.#release(1);
  }

  /** Half-closes the call when nothing is pending (a clean end), cancels it otherwise. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.#pending.size > 0) this.#call.cancel();
    else this.#call.end();
  }

  /** One answer message arrived on the call. */
  answer(answer: PayloadMessage): void {
    let req = this.#pending.get(answer.seq);
    let outcome: RequestFailure | null;
    if (req !== undefined) {
      this.#pending.delete(answer.seq);
      outcome = answerVerdict(req.seq, answer, this.#responseBytes);
    } else if (this.#late.delete(answer.seq)) {
      return;
    } else {
      // Every request gets exactly one answer, so an answer nobody asked for stands for the oldest pending one.
      const oldest = this.#pending.entries().next();
      if (oldest.done === true) return;
      req = oldest.value[1];
      this.#pending.delete(oldest.value[0]);
      outcome = answerVerdict(req.seq, answer, this.#responseBytes);
    }
    this.#settle(req, outcome);
    this.#release(1);
  }

  /** The call ended: everything still pending fails with `outcome`. */
  end(outcome: RequestFailure = ENDED_FAILURE): void {
    this.ended = true;
    const count = this.#pending.size;
    if (count === 0) return;
    const failed = [...this.#pending.values()];
    this.#pending.clear();
    this.#late.clear();
    for (const req of failed) this.#settle(req, outcome);
    this.#release(count);
  }
}

/** A lane over a grpc-js `Bidi` call on `stub`. */
export function openGrpcJsLane<R extends LaneRequest>(
  stub: GrpcStub,
  responseBytes: number,
  settle: (req: R, outcome: RequestFailure | null) => void,
  release: (count: number) => void,
): BidiLane<R> {
  const call = stub.Bidi();
  const lane = new BidiLane<R>(call, responseBytes, settle, release);
  call.on("data", (answer: PayloadMessage) => lane.answer(answer));
  // 'error' carries a non-OK status and is followed by 'status'; an OK status with requests pending is a reset.
  call.on("error", (err: grpc.ServiceError) => lane.end(failureFromError(err)));
  call.on("status", () => lane.end(ENDED_FAILURE));
  return lane;
}
