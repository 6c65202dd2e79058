/**
 * How the wire clients judge a user server's answer (contract/exchange.ts): the status the entry expects, then the
 * body's size when it names one. Nothing else can be checked of a server that cannot echo a sequence number; the
 * result says so (bench/run/user-server.ts). Pure.
 */
import type { Exchange, ExchangeExpectation, RequestFailure } from "../../contract/index.ts";
import { failure } from "./error-kind.ts";

export function exchangeVerdict(expect: ExchangeExpectation, status: number, bodyBytes: number): RequestFailure | null {
  if (status !== expect.status) return failure("status", `HTTP status ${status}, expected ${expect.status}`);
  if (expect.bodyBytes !== null && bodyBytes !== expect.bodyBytes) {
    return failure("mismatch", `a ${bodyBytes}-byte body, expected ${expect.bodyBytes} bytes`);
  }
  return null;
}

/** The exchange's body bytes, decoded once per client. */
export function exchangeBody(exchange: Exchange): Buffer {
  return Buffer.from(exchange.bodyBase64, "base64");
}
