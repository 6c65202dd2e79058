/**
 * One long-lived `Bidi` call of the `grpc-stream` arm: each request is one message, each answer one message, matched
 * by seq. gRPC has no per-message status, so a non-OK status ends the call and fails everything pending on it; the
 * client opens a new call for the next request.
 */

import type * as grpc from "@grpc/grpc-js";
import { failure, failureFromError } from "../../bench/load/error-kind.ts";
import type { RequestFailure } from "../../bench/protocol.ts";
import { bodyLooksRight } from "../../proto/codec.ts";
import type { BenchClient as GrpcStub, PayloadMessage } from "../../proto/grpc-service.ts";
import type { Tracked } from "../outstanding.ts";

export interface LaneRequest extends Tracked {
  readonly seq: number;
}

/** How many seqs of timed-out requests are remembered, so their late answers are dropped rather than misread. */
const MAX_LATE_SEQS = 4_096;

const ENDED_FAILURE = failure("reset", "Bidi call ended with requests pending");

export function answerVerdict(sentSeq: number, answer: PayloadMessage, responseBytes: number): RequestFailure | null {
  if (answer.seq === sentSeq && bodyLooksRight(answer.body, responseBytes)) return null;
  return failure("mismatch", `sent seq ${sentSeq}, got seq ${answer.seq} with a ${answer.body.length}-byte body`);
}

export class BidiLane<R extends LaneRequest> {
  ended = false;
  readonly #call: grpc.ClientDuplexStream<PayloadMessage, PayloadMessage>;
  readonly #pending = new Map<number, R>();
  readonly #late = new Set<number>();
  readonly #responseBytes: number;
  readonly #settle: (req: R, outcome: RequestFailure | null) => void;
  readonly #release: (count: number) => void;

  /** `release(n)` tells the client n requests left this lane (answered, failed or expired). */
  constructor(
    stub: GrpcStub,
    responseBytes: number,
    settle: (req: R, outcome: RequestFailure | null) => void,
    release: (count: number) => void,
  ) {
    this.#responseBytes = responseBytes;
    this.#settle = settle;
    this.#release = release;
    this.#call = stub.Bidi();
    this.#call.on("data", (answer: PayloadMessage) => this.#onAnswer(answer));
    // 'error' carries a non-OK status and is followed by 'status'; an OK status with requests pending is a reset.
    this.#call.on("error", (err: grpc.ServiceError) => this.#end(failureFromError(err)));
    this.#call.on("status", () => this.#end(ENDED_FAILURE));
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

  #onAnswer(answer: PayloadMessage): void {
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

  #end(outcome: RequestFailure): void {
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
