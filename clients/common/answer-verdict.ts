/**
 * How every client judges an answer, so the library and wire clients of an arm count the same failures: the seq
 * must be the one sent and the body the filler of `responseBytes` (proto/codec.ts), and a gRPC call is OK only with
 * `grpc-status: 0` (grpc/doc/PROTOCOL-HTTP2.md), any other status classified as grpc-js statuses are
 * (error-kind.ts). A user server's answer (contract/exchange.ts) has no seq to check: the status the entry expects,
 * then the body's size when it names one — what the result says was verified (bench/run/user-server.ts).
 */

import { failure, failureFromError } from "./error-kind.ts";
import type { Exchange, ExchangeExpectation, RequestFailure } from "../../contract/index.ts";
import { bodyLooksRight, decodePayload } from "../../proto/codec.ts";
import type { Payload } from "../../proto/codec.ts";

export function answerVerdict(sentSeq: number, answer: Payload, responseBytes: number): RequestFailure | null {
  if (answer.seq === sentSeq && bodyLooksRight(answer.body, responseBytes)) return null;
  return failure("mismatch", `sent seq ${sentSeq}, got seq ${answer.seq} with a ${answer.body.length}-byte body`);
}

/** `answerVerdict` of the encoded payload `bytes`; bytes that do not decode are a protocol failure. */
export function payloadVerdict(sentSeq: number, bytes: Uint8Array, responseBytes: number): RequestFailure | null {
  let answer: Payload;
  try {
    answer = decodePayload(bytes);
  } catch (err) {
    return failure("protocol", `undecodable answer: ${(err as Error).message}`);
  }
  return answerVerdict(sentSeq, answer, responseBytes);
}

/** `grpc-message` is percent-encoded; a malformed one is shown as sent. */
function decodeGrpcMessage(message: string | undefined): string {
  if (message === undefined) return "";
  try {
    return decodeURIComponent(message);
  } catch {
    return message;
  }
}

/** Null for `grpc-status: 0`; otherwise the failure, classified as grpc-js statuses are (error-kind.ts). */
export function statusFailure(grpcStatus: string | undefined, grpcMessage: string | undefined): RequestFailure | null {
  if (grpcStatus === "0") return null;
  if (grpcStatus === undefined) return failure("protocol", "the answer ended without a grpc-status");
  if (!/^\d+$/.test(grpcStatus)) return failure("protocol", `unreadable grpc-status "${grpcStatus}"`);
  const details = decodeGrpcMessage(grpcMessage);
  return failureFromError({ code: Number(grpcStatus), details: details === "" ? `grpc-status ${grpcStatus}` : details });
}

export function exchangeVerdict(expect: ExchangeExpectation, status: number, bodyBytes: number): RequestFailure | null {
  if (status !== expect.status) return failure("status", `HTTP status ${status}, expected ${expect.status}`);
  return exchangeSizeVerdict(expect, bodyBytes, "body");
}

/** A user server's answer body (or gRPC `message`) against the size its entry expects, if any. */
export function exchangeSizeVerdict(expect: ExchangeExpectation, bytes: number, what: "body" | "message"): RequestFailure | null {
  if (expect.bodyBytes === null || bytes === expect.bodyBytes) return null;
  return failure("mismatch", `a ${bytes}-byte ${what}, expected ${expect.bodyBytes} bytes`);
}

/** The exchange's body bytes, decoded once per client. */
export function exchangeBody(exchange: Exchange): Buffer {
  return Buffer.from(exchange.bodyBase64, "base64");
}
