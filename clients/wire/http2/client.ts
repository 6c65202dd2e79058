/**
 * The wire-level HTTP/2 client for the `h2c` (prior knowledge) and `h2` (TLS, ALPN `h2`) arms: the library client's
 * semantics (clients/library/http2/client.ts) — status 200, the answer's seq and body checked — over our own frames
 * (session.ts) instead of node:http2, at a fraction of the CPU per request. A user server's request and expected
 * answer (contract/exchange.ts) take the payload's place when the options carry one.
 */

import { armServedBy } from "../../../contract/index.ts";
import type { BenchClient, ClientOptions, ExchangeExpectation, RequestFailure } from "../../../contract/index.ts";
import type { RequestHeaderBlocks } from "./hpack-encoder.ts";
import { failure } from "../../common/error-kind.ts";
import { exchangeVerdict, payloadVerdict } from "../../common/answer-verdict.ts";
import { checkClientOptions } from "../../common/outstanding.ts";
import { PROTOBUF_CONTENT_TYPE, UNARY_PATH } from "../../../proto/codec.ts";
import { UnaryWireClient } from "./unary-client.ts";
import type { UnaryRequest } from "./unary-request.ts";
import { requestHeaders } from "./wire-client.ts";

/** Judges an h2c/h2 answer: a status-200 response whose body is the payload for the seq sent. */
export function http2Verdict(req: UnaryRequest, responseBytes: number): RequestFailure | null {
  if (req.httpStatus === 0) return failure("protocol", "the stream ended without response headers");
  if (req.httpStatus !== 200) return failure("status", `HTTP status ${req.httpStatus}`);
  return payloadVerdict(req.seq, req.body(), responseBytes);
}

/** Judges a user server's answer: a response at all, then the exchange's status and body size. */
export function http2ExchangeVerdict(req: UnaryRequest, expect: ExchangeExpectation): RequestFailure | null {
  if (req.httpStatus === 0) return failure("protocol", "the stream ended without response headers");
  return exchangeVerdict(expect, req.httpStatus, req.body().length);
}

class Http2WireClient extends UnaryWireClient {
  readonly #expect: ExchangeExpectation | null;

  constructor(opts: ClientOptions, tls: boolean, headers: RequestHeaderBlocks) {
    super(opts, tls, headers, false);
    this.#expect = opts.exchange?.expect ?? null;
  }

  protected override verdict(req: UnaryRequest): RequestFailure | null {
    return this.#expect === null ? http2Verdict(req, this.responseBytes) : http2ExchangeVerdict(req, this.#expect);
  }
}

export async function createClient(opts: ClientOptions): Promise<BenchClient> {
  checkClientOptions(opts);
  const { tls } = armServedBy(opts.protocol, "http2", "clients/wire/http2");
  if (tls && opts.caPem === undefined) throw new TypeError(`the ${opts.protocol} arm needs opts.caPem`);
  const { exchange } = opts;
  const headers =
    exchange === undefined
      ? requestHeaders(opts, tls, UNARY_PATH, [["content-type", PROTOBUF_CONTENT_TYPE]])
      : requestHeaders(opts, tls, exchange.path, exchange.headers, exchange.method);
  return new Http2WireClient(opts, tls, headers);
}
