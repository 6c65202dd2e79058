/**
 * The wire gRPC client's reading of a unary answer from its bytes (grpc/doc/PROTOCOL-HTTP2.md): HTTP status 200,
 * exactly one uncompressed Length-Prefixed-Message, and `grpc-status: 0` in the trailers — or in the only header
 * block of a Trailers-Only answer, which without a message is a failure even when its status is 0. The same
 * outcomes as the lean client's `unaryVerdict` (clients/library/grpc/lean-call.ts), judged in the same order.
 */

import type { ExchangeExpectation, RequestFailure } from "../../../contract/index.ts";
import { exchangeSizeVerdict, payloadVerdict, statusFailure } from "../../common/answer-verdict.ts";
import { failure } from "../../common/error-kind.ts";
import { GRPC_PREFIX_BYTES } from "../http2/payload-writer.ts";

export interface GrpcUnaryAnswer {
  readonly seq: number;
  /** `:status` of the first header block, 0 when none came. */
  readonly httpStatus: number;
  readonly grpcStatus: string | undefined;
  readonly grpcMessage: string | undefined;
  /** Every DATA byte of the answer. */
  body(): Buffer;
}

export function grpcUnaryVerdict(a: GrpcUnaryAnswer, responseBytes: number): RequestFailure | null {
  return grpcUnaryAnswerVerdict(a, (message) => payloadVerdict(a.seq, message, responseBytes));
}

/**
 * A user server's unary answer (contract/exchange.ts): the same framing and status checks, then the message's size
 * when the entry names one — its bytes are the user's service's, which the harness does not decode.
 */
export function grpcExchangeVerdict(a: GrpcUnaryAnswer, expect: ExchangeExpectation): RequestFailure | null {
  return grpcUnaryAnswerVerdict(a, (message) => exchangeSizeVerdict(expect, message.length, "message"));
}

function grpcUnaryAnswerVerdict(a: GrpcUnaryAnswer, judgeMessage: (message: Buffer) => RequestFailure | null): RequestFailure | null {
  if (a.httpStatus === 0) return failure("protocol", "the stream ended without response headers");
  if (a.httpStatus !== 200) return failure("status", `HTTP status ${a.httpStatus}`);
  const status = statusFailure(a.grpcStatus, a.grpcMessage);
  if (status !== null) return status;
  const body = a.body();
  if (body.length === 0) return failure("protocol", "OK status without an answer");
  if (body.length < GRPC_PREFIX_BYTES) return failure("protocol", `the answer ended inside a message (${body.length} bytes of it)`);
  if (body[0] !== 0) return failure("protocol", `compressed flag ${body[0]} on a message, but no grpc-encoding was negotiated`);
  const end = GRPC_PREFIX_BYTES + body.readUInt32BE(1);
  if (end > body.length) return failure("protocol", `the answer ended inside a message (${body.length} bytes of it)`);
  if (end < body.length) return failure("protocol", "more than one message on a unary call");
  return judgeMessage(body.subarray(GRPC_PREFIX_BYTES));
}
